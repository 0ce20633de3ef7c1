import type { FastifyRequest } from 'fastify';
import { noteDecision } from '../s3/request-notes.js';
import { sourceAddress, type ConsoleContext, type ConsoleSession } from './console-context.js';
import { ConsoleError } from './console-error.js';

/**
 * The console changes IAM with the rights the admin API asks for the same
 * change (admin:CreateUser, admin:AttachUserOrGroupPolicy, …), decided by
 * the Authorizer for the session's identity and the browser's address, so
 * a user may do here exactly what their policies let them do with
 * `granary admin`. Every action named must be allowed.
 */
export async function requireActions(ctx: ConsoleContext, session: ConsoleSession, request: FastifyRequest, actions: string | string[]): Promise<void> {
  const address = sourceAddress(request);
  for (const action of [actions].flat()) {
    const decision = await ctx.deps.authorizer.authorize(session.identity, { action, conditions: { 'aws:sourceip': [address] } });
    noteDecision(request.raw, {
      action,
      resource: decision.resource,
      allowed: decision.allowed,
      reason: decision.reason,
      ...(decision.decidedBy ? { policy: decision.decidedBy.policy, statement: decision.decidedBy.statement, ...(decision.decidedBy.sid !== undefined ? { sid: decision.decidedBy.sid } : {}) } : {}),
    });
    if (!decision.allowed) {
      ctx.audit({ refused: 'policy', action, accessKey: session.identity.accessKey, address, path: request.routeOptions.url });
      throw new ConsoleError('AccessDenied', `Your account may not do this: it needs ${action}.`);
    }
  }
}

/** A user acting on their own account or keys needs no admin rights (as in the admin API). */
export function isSelf(session: ConsoleSession, user: string): boolean {
  return session.identity.type === 'user' && session.identity.username === user;
}

/** The account a session's own access keys belong to: the user, or root's access key. */
export function ownAccount(session: ConsoleSession): string {
  return session.identity.type === 'root' ? session.identity.accessKey : session.identity.username;
}
