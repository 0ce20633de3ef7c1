import type { FastifyReply, FastifyRequest } from 'fastify';
import { isSecure, type ConsoleContext, type ConsoleSession } from './console-context.js';
import { sessionCookie } from './cookies.js';
import type { SessionScope } from './session-token.js';

/** Issues a session token, registers it as live and sets it as the cookie of the reply. */
export async function startSession(
  ctx: ConsoleContext,
  request: FastifyRequest,
  reply: FastifyReply,
  identity: ConsoleSession['identity'],
  /** credentialTag of the secret key the identity proved. */
  credential: string,
  scope: SessionScope,
): Promise<ConsoleSession> {
  // A temporary identity only ever behind a federated login: never by a key typed into the login form.
  if ((identity.type === 'session') !== (scope === 'federated')) throw new Error(`a ${identity.type} identity cannot start a ${scope} console session`);
  const { token, claims } = await ctx.tokens.issue(identity.accessKey, scope);
  ctx.sessions.add(claims.jti, { sub: claims.sub, expiresAt: claims.expiresAt, credential });
  reply.header('set-cookie', sessionCookie(token, isSecure(request)));
  return { claims, identity, credential, restricted: scope === 'mfa-enrol' };
}
