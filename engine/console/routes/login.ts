import { randomBytes } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import type { LoginResponse } from '../../api/console/types.js';
import { isSecure, sourceAddress, type ConsoleContext } from '../console-context.js';
import { ConsoleError } from '../console-error.js';
import { sameSecret } from '../constant-time.js';
import { clearedSessionCookie } from '../cookies.js';
import { credentialTag } from '../credential-tag.js';
import { spendMfaCode } from '../mfa-code.js';
import { mfaEnrolled, mfaRequired } from '../mfa-policy.js';
import { bodyObject, optionalStringField, stringField } from '../request-body.js';
import { resolveSession, sessionInfo } from '../session-auth.js';
import { startSession } from '../start-session.js';

/** Compared against when the access key is unknown, so the time a refusal takes does not say whether the key exists. */
const NO_SECRET = randomBytes(32).toString('base64url');

/** `POST /login`, `POST /logout`. */
export function loginRoutes(app: FastifyInstance, ctx: ConsoleContext): void {
  const { iam, throttle } = ctx.deps;

  app.post('/api/v1/login', async (request, reply): Promise<LoginResponse> => {
    const body = bodyObject(request.body);
    const accessKey = stringField(body, 'accessKey', 128);
    const secretKey = stringField(body, 'secretKey', 1024);
    const totp = optionalStringField(body, 'totp', 16);
    const recoveryCode = optionalStringField(body, 'recoveryCode', 64);
    const address = sourceAddress(request);

    const held = throttle.check(accessKey, address);
    if (held.throttled) {
      const retryAfter = Math.max(1, Math.ceil(held.retryAfterMs / 1000));
      ctx.audit({ event: 'login throttled', accessKey, address, by: held.by, retryAfter });
      throw new ConsoleError('SlowDown', `Too many failed logins for this ${held.by === 'accessKey' ? 'access key' : 'address'}; retry in ${retryAfter} s.`, { retryAfter });
    }
    const refuse = (code: 'InvalidLogin' | 'InvalidMfaCode'): never => {
      throttle.recordFailure(accessKey, address);
      ctx.audit({ event: 'login failed', reason: code, accessKey, address });
      throw new ConsoleError(code);
    };

    const creds = iam.credentials(accessKey);
    const secretOk = sameSecret(secretKey, creds?.secretKey ?? NO_SECRET);
    // Temporary (STS) keys need their session token, which a console login does not carry.
    if (!creds || !secretOk || creds.identity.type === 'anonymous' || creds.identity.type === 'session') return refuse('InvalidLogin');
    const identity = creds.identity;

    let mfaUsed: 'totp' | 'recovery code' | undefined;
    if (mfaEnrolled(iam, accessKey)) {
      // Not counted as a failure: the secret was right, the client only has to ask for the code.
      if (totp === undefined && recoveryCode === undefined) throw new ConsoleError('MfaRequired');
      const ok = await spendMfaCode(iam, accessKey, totp !== undefined ? { totp } : { recoveryCode: recoveryCode! });
      if (!ok) return refuse('InvalidMfaCode');
      mfaUsed = totp !== undefined ? 'totp' : 'recovery code';
    }
    throttle.recordSuccess(accessKey, address);
    // MFA is required but this account has none yet: a session that may only set it up.
    const restricted = mfaUsed === undefined && mfaRequired(iam);
    const session = await startSession(ctx, request, reply, identity, credentialTag(ctx.keys.credentialKey, creds.secretKey), restricted ? 'mfa-enrol' : 'console');
    ctx.audit({ event: 'login', accessKey, address, ...(mfaUsed ? { mfa: mfaUsed } : {}), ...(restricted ? { restricted: 'mfa enrolment only' } : {}) });
    return sessionInfo(ctx, session);
  });

  app.post('/api/v1/logout', async (request, reply) => {
    let session;
    try {
      session = await resolveSession(ctx, request, { allowRestricted: true });
    } catch (err) {
      // A browser holding a dead token should drop it; a live one is kept when the CSRF token was wrong.
      if (err instanceof ConsoleError && err.code === 'SessionExpired') reply.header('set-cookie', clearedSessionCookie(isSecure(request)));
      throw err;
    }
    ctx.sessions.revoke(session.claims.jti);
    // A federated login's temporary credentials exist only for this session: they end with it.
    if (session.identity.type === 'session') await iam.revokeSessions([session.identity.accessKey]);
    reply.header('set-cookie', clearedSessionCookie(isSecure(request)));
    ctx.audit({ event: 'logout', accessKey: session.claims.sub, address: sourceAddress(request) });
    return reply.code(204).send();
  });
}
