import { GranaryError } from '../common/errors.js';
import type { SessionRecord } from '../iam/records.js';
import type { OidcProviders } from '../sts/oidc-providers.js';
import type { OidcProviderConfig } from '../sts/oidc-config.js';
import type { AdminCall, AdminRoute } from './admin-routes.js';

/** What the admin API needs of STS (engine/sts); absent when the server runs without it. */
export interface StsAdmin {
  oidc: OidcProviders;
}

const always = (action: string) => () => action;
const selfOr = (action: string, target: (c: AdminCall) => string | undefined) => (c: AdminCall) =>
  c.identity.type === 'user' && target(c) === c.identity.username ? null : action;

/**
 * Temporary credentials (list, revoke one or all of a user's) and OpenID
 * Connect providers. Revocation is at once: IAM refuses the session on its
 * next request; the change reaches the audit log as every IAM change does.
 */
export const STS_ROUTES: AdminRoute[] = [
  {
    method: 'GET', path: 'temporary-accounts', action: selfOr('admin:ListTemporaryAccounts', (c) => c.query.get('user') ?? undefined),
    run: async ({ deps, query }) => deps.iam.listSessions(query.get('user') ?? undefined).map((s) => sessionView(s)),
  },
  {
    method: 'GET', path: 'temporary-accounts/:key', action: selfOr('admin:ListTemporaryAccounts', (c) => parentOfSession(c)),
    run: async ({ deps, params }) => sessionView(deps.iam.getSession(params.key)),
  },
  {
    method: 'POST', path: 'temporary-accounts/:key/revoke', action: selfOr('admin:RevokeTokens', (c) => parentOfSession(c)),
    run: async ({ deps, params }) => ({ revoked: await deps.iam.revokeSessions([params.key]) }),
  },
  {
    // Every session of one parent (user, root's access key or federated subject): `{"user": "alice"}`.
    method: 'POST', path: 'temporary-accounts/revoke', action: selfOr('admin:RevokeTokens', (c) => userOf(c)),
    run: async (c) => {
      const user = userOf(c);
      if (user === undefined) throw new GranaryError('InvalidInput', 'Name the user whose temporary credentials to revoke: {"user": "NAME"}.');
      return { revoked: await c.deps.iam.revokeSessions(c.deps.iam.listSessions(user).map((s) => s.accessKey)) };
    },
  },

  { method: 'GET', path: 'idp/oidc', action: always('admin:ConfigUpdate'), run: async ({ deps }) => stsOf(deps).oidc.list().map(withoutSecret) },
  { method: 'GET', path: 'idp/oidc/:name', action: always('admin:ConfigUpdate'), run: async ({ deps, params }) => withoutSecret(stsOf(deps).oidc.get(params.name)) },
  { method: 'PUT', path: 'idp/oidc/:name', action: always('admin:ConfigUpdate'), run: async ({ deps, params, json }) => withoutSecret(await stsOf(deps).oidc.put(params.name, json())) },
  { method: 'DELETE', path: 'idp/oidc/:name', action: always('admin:ConfigUpdate'), run: async ({ deps, params }) => void (await stsOf(deps).oidc.remove(params.name)) },
];

function stsOf(deps: AdminCall['deps']): StsAdmin {
  if (!deps.sts) throw new GranaryError('NotImplemented', 'This server has no STS.');
  return deps.sts;
}

function parentOfSession(c: AdminCall): string | undefined {
  try {
    const s = c.deps.iam.getSession(c.params.key);
    return s.parentType === 'federated' ? undefined : s.parent;
  } catch {
    return undefined;
  }
}

function userOf(c: AdminCall): string | undefined {
  const body = c.json() as Record<string, unknown> | null;
  return body && typeof body === 'object' && typeof body.user === 'string' && body.user ? body.user : undefined;
}

function sessionView(s: SessionRecord, now = Date.now()) {
  return {
    accessKey: s.accessKey,
    parent: s.parent,
    parentType: s.parentType,
    ...(s.parentAccessKey ? { parentAccessKey: s.parentAccessKey } : {}),
    issuer: s.issuer,
    ...(s.roleSessionName ? { roleSessionName: s.roleSessionName } : {}),
    status: s.status === 'revoked' ? 'revoked' : s.expiry <= now ? 'expired' : 'active',
    ...(s.policies ? { policies: s.policies } : {}),
    ...(s.sessionPolicy ? { sessionPolicy: JSON.parse(s.sessionPolicy) as unknown } : {}),
    expiration: new Date(s.expiry).toISOString(),
    created: new Date(s.created).toISOString(),
  };
}

/** A provider as shown: a client secret is write-only, answered only by whether one is set. */
function withoutSecret(p: OidcProviderConfig): Omit<OidcProviderConfig, 'clientSecret'> & { clientSecretSet: boolean } {
  const { clientSecret, ...shown } = p;
  return { ...shown, clientSecretSet: clientSecret !== undefined };
}
