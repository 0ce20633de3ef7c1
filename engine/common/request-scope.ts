import { AsyncLocalStorage } from 'node:async_hooks';
import type { RequestRecord } from './request-record.js';

/**
 * The request the current code runs for, so code far from the handlers (an
 * IAM commit telling the audit log) can name who asked without every call
 * passing the caller along.
 */
export interface RequestScope {
  requestId: string;
  /** What is known of the request so far (its API, operation, who signed it). */
  fields(): Partial<RequestRecord>;
}

/**
 * One AsyncLocalStorage per scoped request, disabled when the request ends.
 * On Node 20 an enabled AsyncLocalStorage runs a hook at every promise the
 * process makes (measured: promise-heavy streaming 2.5x slower), so scopes
 * are opened only for requests that can change IAM or configuration, and
 * the hook is off again whenever none is in flight.
 */
const active = new Set<AsyncLocalStorage<RequestScope>>();

/** Runs `next` (a fastify hook's `done`) inside the scope; returns what ends it. */
export function enterRequestScope(scope: RequestScope, next: () => void): () => void {
  const storage = new AsyncLocalStorage<RequestScope>();
  active.add(storage);
  storage.run(scope, next);
  return () => {
    active.delete(storage);
    storage.disable();
  };
}

export function currentRequestScope(): RequestScope | undefined {
  for (const storage of active) {
    const scope = storage.getStore();
    if (scope) return scope;
  }
  return undefined;
}
