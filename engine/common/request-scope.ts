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

const storage = new AsyncLocalStorage<RequestScope>();

/** Runs `next` (a fastify hook's `done`) inside the scope: all later hooks and the handler see it. */
export function enterRequestScope(scope: RequestScope, next: () => void): void {
  storage.run(scope, next);
}

export function currentRequestScope(): RequestScope | undefined {
  return storage.getStore();
}
