import type { FastifyInstance } from 'fastify';
import type { PasswordChangeResponse } from '../../api/console/types.js';
import { sourceAddress, type ConsoleContext } from '../console-context.js';
import { ConsoleError } from '../console-error.js';
import { sameSecret } from '../constant-time.js';
import { credentialTag } from '../credential-tag.js';
import { bodyObject, stringField } from '../request-body.js';
import { sessionInfo, withSession } from '../session-auth.js';
import { startSession } from '../start-session.js';

/**
 * `PUT /account/password`: the session's own secret key, which is the
 * password a user logs in with. The current one is required (a session left
 * open must not be enough), and wrong guesses are throttled as logins are.
 * Every session of the account made with the old secret ends (session-auth
 * compares the secret each time); this one is replaced by a new session.
 */
export function passwordRoutes(app: FastifyInstance, ctx: ConsoleContext): void {
  const { iam, throttle } = ctx.deps;

  app.put('/api/v1/account/password', withSession(ctx, {}, async (session, request, reply): Promise<PasswordChangeResponse> => {
    const body = bodyObject(request.body);
    const current = stringField(body, 'currentSecret', 1024);
    const next = stringField(body, 'newSecret', 1024);
    const id = session.identity;
    const address = sourceAddress(request);
    if (id.type === 'serviceAccount') throw new ConsoleError('InvalidRequest', 'This session logged in with an access key: its secret cannot be changed, only revoked and replaced (Identity → Access keys).');
    if (id.type === 'root' && !ctx.deps.setRootSecret) throw new ConsoleError('RootSecretFromEnvironment');

    const held = throttle.check(id.accessKey, address);
    if (held.throttled) {
      const retryAfter = Math.max(1, Math.ceil(held.retryAfterMs / 1000));
      throw new ConsoleError('SlowDown', `Too many wrong secrets; retry in ${retryAfter} s.`, { retryAfter });
    }
    const creds = iam.credentials(id.accessKey);
    if (!creds || !sameSecret(current, creds.secretKey)) {
      throttle.recordFailure(id.accessKey, address);
      ctx.audit({ event: 'password change refused', reason: 'wrong current secret', accessKey: id.accessKey, address });
      throw new ConsoleError('WrongSecret');
    }
    if (next === current) throw new ConsoleError('InvalidRequest', 'The new secret key must differ from the current one.');
    // The password rules are IAM's (IamService.setUserSecret, root-credentials.ts setRootSecret).
    if (id.type === 'root') await ctx.deps.setRootSecret!(next);
    else await iam.setUserSecret(id.username, next);
    ctx.sessions.revokeSubject(id.accessKey, session.claims.jti);
    ctx.sessions.revoke(session.claims.jti);
    const fresh = await startSession(ctx, request, reply, id, credentialTag(ctx.keys.credentialKey, next), 'console');
    ctx.audit({ event: 'password changed', accessKey: id.accessKey, address });
    return sessionInfo(ctx, fresh);
  }));
}
