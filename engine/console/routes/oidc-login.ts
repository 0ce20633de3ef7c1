import type { FastifyInstance, FastifyRequest } from 'fastify';
import { isGranaryError } from '../../common/errors.js';
import { StsError } from '../../sts/sts-error.js';
import { isSecure, sourceAddress, type ConsoleContext } from '../console-context.js';
import { ConsoleError } from '../console-error.js';
import { readCookie } from '../cookies.js';
import { credentialTag } from '../credential-tag.js';
import { clearedPendingCookie, OIDC_COOKIE, PENDING_TTL_MS, pendingCookie, readPending } from '../oidc-pending-cookie.js';
import { sameSecret } from '../constant-time.js';
import { SESSION_TTL_S } from '../session-token.js';
import { startSession } from '../start-session.js';

/**
 * `GET /login/oidc/:provider` (to the provider) and its callback (back with
 * a code): the authorization code flow with PKCE. The console session's
 * identity is the STS session AssumeRoleWithWebIdentity would issue.
 */
const MAX_SPENT = 10_000;

export function oidcLoginRoutes(app: FastifyInstance, ctx: ConsoleContext): void {
  // States already answered, until their cookie would have expired: a browser (or a thief) keeping the cookie cannot replay it.
  const spent = new Map<string, number>();
  const spend = (state: string): boolean => {
    const now = Date.now();
    for (const [s, until] of spent) if (until < now) spent.delete(s);
    if (spent.has(state)) return false;
    // Bounded: the oldest go first (a flood of fresh logins could otherwise grow it for ten minutes).
    if (spent.size >= MAX_SPENT) spent.delete(spent.keys().next().value!);
    spent.set(state, now + PENDING_TTL_MS);
    return true;
  };
  const flowOf = () => {
    const flow = ctx.deps.oidcLogin;
    if (!flow) throw new ConsoleError('LoginMethodNotConfigured', 'OpenID Connect login is not available on this server.');
    return flow;
  };
  const providerOf = (request: FastifyRequest) => {
    const name = (request.params as { provider?: string }).provider ?? '';
    if (!flowOf().providers().some((p) => p.name === name)) throw new ConsoleError('LoginMethodNotConfigured', `No OpenID Connect provider is named ${JSON.stringify(name.slice(0, 64))}.`);
    return name;
  };

  app.get('/api/v1/login/oidc/:provider', async (request, reply) => {
    const name = providerOf(request);
    const host = request.headers.host ?? '';
    const callback = `${isSecure(request) ? 'https' : 'http'}://${host}/api/v1/login/oidc/${encodeURIComponent(name)}/callback`;
    const { url, pending } = await flowOf().start(name, callback).catch(idpError);
    reply.header('set-cookie', pendingCookie(ctx.keys.csrfKey, pending, isSecure(request)));
    return reply.redirect(url, 302);
  });

  app.get('/api/v1/login/oidc/:provider/callback', async (request, reply) => {
    const name = providerOf(request);
    const query = request.query as Record<string, unknown>;
    const address = sourceAddress(request);
    const pending = readPending(ctx.keys.csrfKey, readCookie(request.headers.cookie, OIDC_COOKIE));
    // Once used or refused, the pending login is gone: a code or state cannot be tried twice.
    reply.header('set-cookie', clearedPendingCookie(isSecure(request)));
    // The browser goes back to the login page with a fixed reason code (never text from the URL, which anyone could craft).
    const refuse = (reason: string, code: OidcLoginFailure) => {
      ctx.audit({ event: 'login failed', method: `oidc:${name}`, reason, address });
      return reply.redirect(`/?login_error=${code}#/`, 302);
    };
    if (typeof query.error === 'string') return refuse(`provider error ${query.error.slice(0, 64)}`, 'provider');
    if (!pending || pending.provider !== name || !spend(pending.state)) return refuse('no pending login', 'expired');
    if (typeof query.state !== 'string' || !sameSecret(query.state, pending.state)) return refuse('state mismatch', 'state');
    if (typeof query.code !== 'string' || query.code === '' || query.code.length > 2048) return refuse('no code', 'provider');
    let done;
    try {
      done = await flowOf().finish(pending, query.code, SESSION_TTL_S);
    } catch (err) {
      if (!(err instanceof StsError) && !isGranaryError(err)) throw err;
      return refuse(err.message, 'failed');
    }
    const resolved = ctx.deps.iam.credentials(done.credentials.accessKeyId);
    if (!resolved || resolved.identity.type !== 'session') throw new Error('the STS session just issued for an OpenID login does not resolve');
    await startSession(ctx, request, reply, resolved.identity, credentialTag(ctx.keys.credentialKey, done.credentials.secretAccessKey), 'federated');
    ctx.audit({ event: 'login', method: `oidc:${name}`, subject: done.subject, accessKey: done.credentials.accessKeyId, address });
    return reply.redirect('/#/', 302);
  });
}

/** Why a login with a provider did not finish, as the login page explains it (`?login_error=`). */
export type OidcLoginFailure = 'provider' | 'expired' | 'state' | 'failed';

function idpError(err: unknown): never {
  if (err instanceof StsError) throw new ConsoleError('DirectoryUnavailable', err.message);
  throw err;
}
