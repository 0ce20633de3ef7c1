import type { FastifyReply, FastifyRequest } from 'fastify';
import { annotate } from '../s3/request-notes.js';
import { identityFields } from '../s3/s3-server.js';
import type { SessionInfo } from '../api/console/types.js';
import type { ConsoleContext, ConsoleSession } from './console-context.js';
import { ConsoleError } from './console-error.js';
import { sameSecret } from './constant-time.js';
import { SESSION_COOKIE, readCookie } from './cookies.js';
import { credentialTag } from './credential-tag.js';
import { CSRF_HEADER, csrfMatches, csrfTokenFor } from './csrf.js';
import { mfaEnrolled, mfaRequired } from './mfa-policy.js';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

export interface GuardOptions {
  /** Whether a restricted (MFA-enrolment-only) session may make this call. */
  allowRestricted?: boolean;
}

/**
 * The session behind a request, or a ConsoleError. Checked on every call,
 * in order: the token's signature and expiry, that it was not logged out,
 * that its access key still resolves in IAM right now (a user disabled or
 * removed loses the console at once) with the secret it logged in with,
 * and for state-changing methods the CSRF token bound to it.
 */
export async function resolveSession(ctx: ConsoleContext, request: FastifyRequest, opts: GuardOptions = {}): Promise<ConsoleSession> {
  const token = readCookie(request.headers.cookie, SESSION_COOKIE);
  const claims = token ? await ctx.tokens.verify(token) : undefined;
  const live = claims ? ctx.sessions.get(claims.jti) : undefined;
  if (!claims || !live) throw new ConsoleError('SessionExpired');
  const creds = ctx.deps.iam.credentials(claims.sub);
  // A session identity only behind a federated login; an expired or revoked STS session no longer resolves.
  if (!creds || creds.identity.type === 'anonymous' || (creds.identity.type === 'session') !== (claims.scope === 'federated')) {
    ctx.sessions.revoke(claims.jti);
    throw new ConsoleError('SessionExpired', 'The account of this session no longer exists or is disabled.');
  }
  if (!sameSecret(credentialTag(ctx.keys.credentialKey, creds.secretKey), live.credential)) {
    ctx.sessions.revoke(claims.jti);
    throw new ConsoleError('SessionExpired', 'The secret key of this account has changed since this session began.');
  }
  if (!SAFE_METHODS.has(request.method) && !csrfMatches(ctx.keys.csrfKey, claims.jti, request.headers[CSRF_HEADER])) {
    throw new ConsoleError('InvalidCsrfToken');
  }
  // MFA made compulsory after this session began counts at once, as does MFA disabled.
  // Federated logins have no Granary MFA to enrol: their second factor is the directory's or the provider's business.
  const restricted = claims.scope === 'mfa-enrol' || (claims.scope === 'console' && mfaRequired(ctx.deps.iam) && !mfaEnrolled(ctx.deps.iam, claims.sub));
  if (restricted && !opts.allowRestricted) throw new ConsoleError('MfaEnrolmentRequired');
  annotate(request.raw, { ...identityFields(creds.identity), claims: { ...claims } });
  return { claims, identity: creds.identity, credential: live.credential, restricted };
}

/** A route handler that runs only with a valid session. */
export function withSession<T>(
  ctx: ConsoleContext,
  opts: GuardOptions,
  handler: (session: ConsoleSession, request: FastifyRequest, reply: FastifyReply) => Promise<T>,
): (request: FastifyRequest, reply: FastifyReply) => Promise<T> {
  return async (request, reply) => handler(await resolveSession(ctx, request, opts), request, reply);
}

export function sessionInfo(ctx: ConsoleContext, session: ConsoleSession): SessionInfo {
  const id = session.identity;
  return {
    identity: { type: id.type, accessKey: id.accessKey, name: id.username, ...(id.type === 'session' ? { issuer: id.issuer } : {}) },
    mfa: { enrolled: mfaEnrolled(ctx.deps.iam, session.claims.sub), required: mfaRequired(ctx.deps.iam) },
    mfaEnrolmentRequired: session.restricted,
    expiresAt: new Date(session.claims.expiresAt).toISOString(),
    csrfToken: csrfTokenFor(ctx.keys.csrfKey, session.claims.jti),
  };
}
