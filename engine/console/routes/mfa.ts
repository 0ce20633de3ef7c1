import type { FastifyInstance } from 'fastify';
import { newRecoveryCodes, newTotpSecret, verifyTotp } from '../../iam/totp.js';
import type { MfaEnrolResponse, MfaVerifyResponse } from '../../api/console/types.js';
import { sourceAddress, type ConsoleContext } from '../console-context.js';
import { ConsoleError } from '../console-error.js';
import { classifyCode, spendMfaCode } from '../mfa-code.js';
import { bodyObject, stringField } from '../request-body.js';
import { sessionInfo, withSession } from '../session-auth.js';
import { startSession } from '../start-session.js';

const RECOVERY_CODES = 10;

/**
 * TOTP for the session's own account: enrol (a secret, not yet in force),
 * verify (the first good code puts it in force and yields the recovery
 * codes), disable (needs a code, so a stolen session cannot remove it).
 */
export function mfaRoutes(app: FastifyInstance, ctx: ConsoleContext): void {
  const { iam } = ctx.deps;
  const issuer = ctx.deps.issuer ?? 'Granary';

  app.post('/api/v1/mfa/enrol', withSession(ctx, { allowRestricted: true }, async (session): Promise<MfaEnrolResponse> => {
    const name = session.claims.sub;
    // Re-enrolling would replace the secret without proof of the current one.
    if (iam.getMfa(name)?.enrolled) throw new ConsoleError('MfaAlreadyEnrolled');
    const { secret, uri } = newTotpSecret(issuer, name);
    await iam.setMfa(name, { secret, lastStep: 0, recovery: [], enrolled: false });
    ctx.audit({ event: 'mfa enrolment started', accessKey: name });
    return { secret, uri };
  }));

  app.post('/api/v1/mfa/verify', withSession(ctx, { allowRestricted: true }, async (session, request, reply): Promise<MfaVerifyResponse> => {
    const code = stringField(bodyObject(request.body), 'code', 16);
    const name = session.claims.sub;
    const rec = iam.getMfa(name);
    if (!rec) throw new ConsoleError('MfaNotEnrolled', 'Start with POST /api/v1/mfa/enrol.');
    if (rec.enrolled) throw new ConsoleError('MfaAlreadyEnrolled');
    const result = verifyTotp(rec.secret, code, { lastUsedStep: rec.lastStep });
    if (!result.ok) throw new ConsoleError('InvalidMfaCode');
    const recovery = newRecoveryCodes(RECOVERY_CODES);
    // Written in the same turn as the check (see spendMfaCode): the code is spent at once.
    await iam.setMfa(name, { secret: rec.secret, lastStep: result.step, recovery: recovery.hashes, enrolled: true });
    // Sessions made before MFA was in force end; this one goes on, as a full session when it was restricted.
    ctx.sessions.revokeSubject(name, session.claims.jti);
    ctx.audit({ event: 'mfa enrolled', accessKey: name, address: sourceAddress(request) });
    if (session.claims.scope === 'console') return { enrolled: true, recoveryCodes: recovery.codes };
    ctx.sessions.revoke(session.claims.jti);
    const upgraded = await startSession(ctx, request, reply, session.identity, session.credential, 'console');
    return { enrolled: true, recoveryCodes: recovery.codes, session: sessionInfo(ctx, upgraded) };
  }));

  app.post('/api/v1/mfa/disable', withSession(ctx, {}, async (session, request) => {
    const code = stringField(bodyObject(request.body), 'code', 64);
    const name = session.claims.sub;
    const address = sourceAddress(request);
    if (!iam.getMfa(name)?.enrolled) throw new ConsoleError('MfaNotEnrolled');
    // Guessing codes through a stolen session is throttled like guessing them at login.
    const held = ctx.deps.throttle.check(name, address);
    if (held.throttled) {
      const retryAfter = Math.max(1, Math.ceil(held.retryAfterMs / 1000));
      throw new ConsoleError('SlowDown', `Too many wrong codes; retry in ${retryAfter} s.`, { retryAfter });
    }
    if (!(await spendMfaCode(iam, name, classifyCode(code)))) {
      ctx.deps.throttle.recordFailure(name, address);
      ctx.audit({ event: 'mfa disable refused', accessKey: name, address });
      throw new ConsoleError('InvalidMfaCode');
    }
    await iam.setMfa(name, null);
    ctx.audit({ event: 'mfa disabled', accessKey: name, address });
    return { enrolled: false };
  }));
}
