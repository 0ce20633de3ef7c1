import type { FastifyInstance } from 'fastify';
import { isGranaryError } from '../../common/errors.js';
import { StsError } from '../../sts/sts-error.js';
import type { LoginMethods, LoginResponse } from '../../api/console/types.js';
import { sourceAddress, type ConsoleContext } from '../console-context.js';
import { ConsoleError } from '../console-error.js';
import { credentialTag } from '../credential-tag.js';
import { bodyObject, stringField } from '../request-body.js';
import { sessionInfo } from '../session-auth.js';
import { SESSION_TTL_S } from '../session-token.js';
import { startSession } from '../start-session.js';

/**
 * `GET /login/methods` and `POST /login/ldap`: logins whose proof is checked
 * elsewhere (the directory). The console session's identity is the STS
 * session AssumeRoleWithLDAPIdentity would issue, as long as the console
 * session, so the console authorizes exactly as S3 would that session.
 */
export function federatedLoginRoutes(app: FastifyInstance, ctx: ConsoleContext): void {
  const { iam, throttle } = ctx.deps;

  app.get('/api/v1/login/methods', async (): Promise<LoginMethods> => ({ ldap: ctx.deps.ldapLogin !== undefined, oidc: ctx.deps.oidcLogin?.providers() ?? [] }));

  app.post('/api/v1/login/ldap', async (request, reply): Promise<LoginResponse> => {
    const ldapLogin = ctx.deps.ldapLogin;
    if (!ldapLogin) throw new ConsoleError('LoginMethodNotConfigured', 'LDAP is not configured on this server (granary server --ldap-url …): log in with an access key.');
    const body = bodyObject(request.body);
    const username = stringField(body, 'username', 512);
    const password = stringField(body, 'password', 1024);
    const address = sourceAddress(request);
    // Counted apart from access keys of the same spelling, in the same throttle as every other credential.
    const throttleKey = `ldap:${username}`;

    const held = throttle.check(throttleKey, address);
    if (held.throttled) {
      const retryAfter = Math.max(1, Math.ceil(held.retryAfterMs / 1000));
      ctx.audit({ event: 'login throttled', method: 'ldap', user: username, address, by: held.by, retryAfter });
      throw new ConsoleError('SlowDown', `Too many failed logins for this ${held.by === 'accessKey' ? 'user' : 'address'}; retry in ${retryAfter} s.`, { retryAfter });
    }
    let creds;
    try {
      creds = await ldapLogin({ username, password, durationSeconds: SESSION_TTL_S, sourceAddress: address });
    } catch (err) {
      if (err instanceof StsError) {
        ctx.audit({ event: 'login failed', method: 'ldap', reason: 'directory unavailable', user: username, address });
        throw new ConsoleError('DirectoryUnavailable');
      }
      if (!isGranaryError(err) || err.code !== 'AccessDenied') throw err;
      throttle.recordFailure(throttleKey, address);
      ctx.audit({ event: 'login failed', method: 'ldap', reason: 'InvalidDirectoryLogin', user: username, address });
      throw new ConsoleError('InvalidDirectoryLogin');
    }
    throttle.recordSuccess(throttleKey, address);
    const resolved = iam.credentials(creds.accessKeyId);
    if (!resolved || resolved.identity.type !== 'session') throw new Error('the STS session just issued for an LDAP login does not resolve');
    const session = await startSession(ctx, request, reply, resolved.identity, credentialTag(ctx.keys.credentialKey, creds.secretAccessKey), 'federated');
    ctx.audit({ event: 'login', method: 'ldap', user: username, dn: resolved.identity.username, accessKey: creds.accessKeyId, address });
    return sessionInfo(ctx, session);
  });
}
