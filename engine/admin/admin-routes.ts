import { GranaryError } from '../common/errors.js';
import type { Identity } from '../iam/identity.js';
import type { GroupRecord, ServiceAccountRecord, Status, UserRecord } from '../iam/records.js';
import type { AdminDeps } from './admin-api.js';
import { HEAL_ROUTES } from './heal-routes.js';
import { PROMETHEUS_TOKEN_ROUTE } from './prometheus-token-route.js';
import { STS_ROUTES } from './sts-routes.js';
import { LDAP_ROUTES } from './ldap-routes.js';

export interface AdminCall {
  deps: AdminDeps;
  identity: Identity;
  params: Record<string, string>;
  query: URLSearchParams;
  /** The body parsed as JSON ({} when empty); throws InvalidInput when it is not JSON. */
  json: () => unknown;
  rawBody: string;
}

export interface AdminRoute {
  method: 'GET' | 'PUT' | 'POST' | 'DELETE';
  path: string;
  /** The admin action the caller must hold; null when the route checks for itself (root only, or own keys). */
  action: (call: AdminCall) => string | string[] | null;
  run: (call: AdminCall) => Promise<unknown>;
}

const always = (action: string) => () => action;

/** A user acting on their own account or keys needs no admin rights (as MinIO). */
const selfOr = (action: string, target: (c: AdminCall) => string | undefined) => (c: AdminCall) =>
  c.identity.type === 'user' && target(c) === c.identity.username ? null : action;

export const ADMIN_ROUTES: AdminRoute[] = [
  { method: 'GET', path: 'info', action: always('admin:ServerInfo'), run: async ({ deps }) => ({ version: deps.version, region: deps.region, ...(await deps.storageInfo()) }) },
  {
    method: 'GET', path: 'health', action: always('admin:ServerInfo'),
    run: async ({ deps }) => {
      if (!deps.health) throw new GranaryError('NotImplemented', 'This engine has no health monitor.');
      return deps.health();
    },
  },

  // users
  { method: 'GET', path: 'users', action: always('admin:ListUsers'), run: async ({ deps }) => deps.iam.listUsers().map((u) => userView(u, deps)) },
  {
    method: 'PUT', path: 'users/:name', action: always('admin:CreateUser'),
    run: async ({ deps, params, json }) => {
      const body = obj(json());
      const user = await deps.iam.createUser(params.name, optString(body, 'secretKey'));
      const policies = optStrings(body, 'policies');
      if (policies?.length) await deps.iam.attachPolicies({ user: user.name }, policies);
      return userView(deps.iam.getUser(user.name), deps);
    },
  },
  { method: 'GET', path: 'users/:name', action: selfOr('admin:GetUser', (c) => c.params.name), run: async ({ deps, params }) => userView(deps.iam.getUser(params.name), deps) },
  { method: 'POST', path: 'users/:name/enable', action: always('admin:EnableUser'), run: async ({ deps, params }) => void (await deps.iam.setUserStatus(params.name, 'enabled')) },
  { method: 'POST', path: 'users/:name/disable', action: always('admin:DisableUser'), run: async ({ deps, params }) => void (await deps.iam.setUserStatus(params.name, 'disabled')) },
  {
    method: 'PUT', path: 'users/:name/secret', action: selfOr('admin:CreateUser', (c) => c.params.name),
    run: async ({ deps, params, json }) => void (await deps.iam.setUserSecret(params.name, reqString(obj(json()), 'secretKey'))),
  },
  { method: 'DELETE', path: 'users/:name', action: always('admin:DeleteUser'), run: async ({ deps, params }) => void (await deps.iam.deleteUser(params.name)) },

  // groups
  { method: 'GET', path: 'groups', action: always('admin:ListGroups'), run: async ({ deps }) => deps.iam.listGroups().map(groupView) },
  {
    method: 'PUT', path: 'groups/:name', action: always('admin:AddUserToGroup'),
    run: async ({ deps, params, json }) => {
      const members = optStrings(obj(json()), 'members');
      // Check the members first, so a bad name leaves no half-made group behind.
      for (const m of members ?? []) deps.iam.getUser(m);
      await deps.iam.createGroup(params.name);
      if (members?.length) await deps.iam.addGroupMembers(params.name, members);
      return groupView(deps.iam.getGroup(params.name));
    },
  },
  { method: 'GET', path: 'groups/:name', action: always('admin:GetGroup'), run: async ({ deps, params }) => groupView(deps.iam.getGroup(params.name)) },
  {
    method: 'POST', path: 'groups/:name/members',
    action: (c) => {
      const body = obj(c.json());
      return [...(optStrings(body, 'add')?.length ? ['admin:AddUserToGroup'] : []), ...(optStrings(body, 'remove')?.length ? ['admin:RemoveUserFromGroup'] : [])];
    },
    run: async ({ deps, params, json }) => {
      const body = obj(json());
      const add = optStrings(body, 'add') ?? [];
      const remove = optStrings(body, 'remove') ?? [];
      if (add.length) await deps.iam.addGroupMembers(params.name, add);
      if (remove.length) await deps.iam.removeGroupMembers(params.name, remove);
      return groupView(deps.iam.getGroup(params.name));
    },
  },
  { method: 'POST', path: 'groups/:name/enable', action: always('admin:EnableGroup'), run: async ({ deps, params }) => void (await deps.iam.setGroupStatus(params.name, 'enabled')) },
  { method: 'POST', path: 'groups/:name/disable', action: always('admin:DisableGroup'), run: async ({ deps, params }) => void (await deps.iam.setGroupStatus(params.name, 'disabled')) },
  { method: 'DELETE', path: 'groups/:name', action: always('admin:RemoveUserFromGroup'), run: async ({ deps, params }) => void (await deps.iam.deleteGroup(params.name)) },

  // policies
  { method: 'GET', path: 'policies', action: always('admin:ListUserPolicies'), run: async ({ deps }) => deps.iam.listPolicies().map(({ name, builtin, created }) => ({ name, builtin, ...(created ? { created: new Date(created).toISOString() } : {}) })) },
  { method: 'PUT', path: 'policies/:name', action: always('admin:CreatePolicy'), run: async ({ deps, params, rawBody }) => void (await deps.iam.createPolicy(params.name, rawBody)) },
  {
    method: 'GET', path: 'policies/:name', action: always('admin:GetPolicy'),
    run: async ({ deps, params }) => {
      const p = deps.iam.getPolicy(params.name);
      return { name: p.name, builtin: p.builtin, policy: JSON.parse(p.document) };
    },
  },
  { method: 'DELETE', path: 'policies/:name', action: always('admin:DeletePolicy'), run: async ({ deps, params }) => void (await deps.iam.deletePolicy(params.name)) },
  { method: 'POST', path: 'policies/:name/attach', action: always('admin:AttachUserOrGroupPolicy'), run: async ({ deps, params, json }) => void (await deps.iam.attachPolicies(target(obj(json())), [params.name])) },
  { method: 'POST', path: 'policies/:name/detach', action: always('admin:AttachUserOrGroupPolicy'), run: async ({ deps, params, json }) => void (await deps.iam.detachPolicies(target(obj(json())), [params.name])) },

  // service accounts (access keys that belong to a user)
  {
    method: 'GET', path: 'service-accounts', action: selfOr('admin:ListServiceAccounts', (c) => c.query.get('user') ?? undefined),
    run: async ({ deps, query }) => deps.iam.listServiceAccounts(query.get('user') ?? undefined).map(serviceAccountView),
  },
  {
    method: 'PUT', path: 'service-accounts', action: selfOr('admin:CreateServiceAccount', (c) => parentOf(c)),
    run: async (c) => {
      const body = obj(c.json());
      const policy = body.policy === undefined ? undefined : typeof body.policy === 'string' ? body.policy : JSON.stringify(body.policy);
      const expiry = body.expiry === undefined ? undefined : Date.parse(reqString(body, 'expiry'));
      if (expiry !== undefined && Number.isNaN(expiry)) throw new GranaryError('InvalidInput', 'expiry must be an ISO 8601 date.');
      const sa = await c.deps.iam.createServiceAccount(parentOf(c), {
        ...(optString(body, 'accessKey') !== undefined ? { accessKey: optString(body, 'accessKey') } : {}),
        ...(optString(body, 'secretKey') !== undefined ? { secretKey: optString(body, 'secretKey') } : {}),
        ...(policy !== undefined ? { policy } : {}),
        ...(expiry !== undefined ? { expiry } : {}),
        ...(optString(body, 'name') !== undefined ? { name: optString(body, 'name') } : {}),
        ...(optString(body, 'description') !== undefined ? { description: optString(body, 'description') } : {}),
      });
      // The secret is shown this once.
      return { ...serviceAccountView(sa), secretKey: sa.secretKey };
    },
  },
  {
    method: 'GET', path: 'service-accounts/:key', action: selfOr('admin:ListServiceAccounts', (c) => ownerOf(c)),
    run: async ({ deps, params }) => serviceAccountView(deps.iam.getServiceAccount(params.key)),
  },
  {
    method: 'POST', path: 'service-accounts/:key', action: selfOr('admin:UpdateServiceAccount', (c) => ownerOf(c)),
    run: async ({ deps, params, json }) => {
      const body = obj(json());
      const status = optString(body, 'status');
      if (status !== undefined && status !== 'enabled' && status !== 'disabled') throw new GranaryError('InvalidInput', 'status must be "enabled" or "disabled".');
      const policy = body.policy === null ? null : body.policy === undefined ? undefined : typeof body.policy === 'string' ? body.policy : JSON.stringify(body.policy);
      const expiry = body.expiry === null ? null : body.expiry === undefined ? undefined : Date.parse(reqString(body, 'expiry'));
      if (typeof expiry === 'number' && Number.isNaN(expiry)) throw new GranaryError('InvalidInput', 'expiry must be an ISO 8601 date.');
      return serviceAccountView(await deps.iam.updateServiceAccount(params.key, {
        ...(status !== undefined ? { status: status as Status } : {}),
        ...(policy !== undefined ? { policy } : {}),
        ...(expiry !== undefined ? { expiry } : {}),
      }));
    },
  },
  {
    method: 'DELETE', path: 'service-accounts/:key', action: selfOr('admin:RemoveServiceAccount', (c) => ownerOf(c)),
    run: async ({ deps, params }) => void (await deps.iam.deleteServiceAccount(params.key)),
  },

  // root and security
  {
    method: 'POST', path: 'root/rotate', action: () => null,
    run: async ({ deps, identity }) => {
      if (identity.type !== 'root') throw new GranaryError('AccessDenied', 'Only root may rotate the root secret.');
      if (!deps.rotateRoot) throw new GranaryError('InvalidRequest', 'Root credentials come from GRANARY_ROOT_USER / GRANARY_ROOT_PASSWORD: change them there and restart.');
      return deps.rotateRoot();
    },
  },
  { method: 'GET', path: 'security/events', action: always('admin:ServerInfo'), run: async ({ deps }) => deps.throttle?.recent(100) ?? [] },

  // audit targets (engine/audit)
  { method: 'GET', path: 'audit/targets', action: always('admin:ServerInfo'), run: async ({ deps }) => auditOf(deps).listTargets() },
  { method: 'PUT', path: 'audit/targets/:name', action: always('admin:ConfigUpdate'), run: async ({ deps, params, json }) => auditOf(deps).putTarget(params.name, json()) },
  { method: 'DELETE', path: 'audit/targets/:name', action: always('admin:ConfigUpdate'), run: async ({ deps, params }) => void (await auditOf(deps).deleteTarget(params.name)) },

  // metrics (engine/metrics)
  PROMETHEUS_TOKEN_ROUTE,

  // temporary credentials and identity providers (engine/sts)
  ...STS_ROUTES,

  // LDAP policy mappings by DN and the directory sync (engine/iam/ldap)
  ...LDAP_ROUTES,

  // healing (engine/heal)
  ...HEAL_ROUTES,
];

function auditOf(deps: AdminDeps): NonNullable<AdminDeps['auditLog']> {
  if (!deps.auditLog) throw new GranaryError('NotImplemented', 'This server has no audit log.');
  return deps.auditLog;
}

function obj(v: unknown): Record<string, unknown> {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) throw new GranaryError('InvalidInput', 'The request body must be a JSON object.');
  return v as Record<string, unknown>;
}

function optString(body: Record<string, unknown>, name: string): string | undefined {
  const v = body[name];
  if (v === undefined) return undefined;
  if (typeof v !== 'string') throw new GranaryError('InvalidInput', `${name} must be a string.`);
  return v;
}

function reqString(body: Record<string, unknown>, name: string): string {
  const v = optString(body, name);
  if (v === undefined) throw new GranaryError('InvalidInput', `${name} is required.`);
  return v;
}

function optStrings(body: Record<string, unknown>, name: string): string[] | undefined {
  const v = body[name];
  if (v === undefined) return undefined;
  if (!Array.isArray(v) || !v.every((x) => typeof x === 'string')) throw new GranaryError('InvalidInput', `${name} must be a list of strings.`);
  return v as string[];
}

function target(body: Record<string, unknown>): { user: string } | { group: string } {
  const user = optString(body, 'user');
  const group = optString(body, 'group');
  if ((user === undefined) === (group === undefined)) throw new GranaryError('InvalidInput', 'Name exactly one of "user" or "group".');
  return user !== undefined ? { user } : { group: group! };
}

/** The parent of a new service account: the one named, else the caller (root's own keys for root). */
function parentOf(c: AdminCall): string {
  const named = c.json() as Record<string, unknown>;
  const parent = named && typeof named === 'object' && typeof named.parent === 'string' ? named.parent : undefined;
  if (parent !== undefined) return parent;
  if (c.identity.type === 'anonymous') throw new GranaryError('AccessDenied');
  return c.identity.type === 'root' ? c.identity.accessKey : c.identity.username;
}

function ownerOf(c: AdminCall): string | undefined {
  try {
    return c.deps.iam.getServiceAccount(c.params.key).parent;
  } catch {
    return undefined;
  }
}

function userView(u: UserRecord, deps: AdminDeps) {
  return {
    name: u.name,
    status: u.status,
    policies: u.policies,
    inlinePolicies: Object.keys(u.inline),
    groups: deps.iam.groupsOf(u.name),
    hasSecret: u.secretKey !== undefined,
    mfa: Boolean(deps.iam.getMfa(u.name)?.enrolled),
    created: new Date(u.created).toISOString(),
  };
}

function groupView(g: GroupRecord) {
  return { name: g.name, status: g.status, members: g.members, policies: g.policies, created: new Date(g.created).toISOString() };
}

function serviceAccountView(s: ServiceAccountRecord) {
  return {
    accessKey: s.accessKey,
    parent: s.parent,
    status: s.status,
    ...(s.name ? { name: s.name } : {}),
    ...(s.description ? { description: s.description } : {}),
    ...(s.expiry ? { expiry: new Date(s.expiry).toISOString() } : {}),
    ...(s.policy ? { policy: JSON.parse(s.policy) } : {}),
    created: new Date(s.created).toISOString(),
  };
}
