import { GranaryError } from '../common/errors.js';
import type { LdapPolicyMap } from '../iam/ldap/ldap-policy-map.js';
import type { LdapSync } from '../iam/ldap/ldap-sync.js';
import type { AdminCall, AdminRoute } from './admin-routes.js';

/** What the admin API needs of LDAP: the DN → policies map, and the sync when a directory is configured. */
export interface LdapAdmin {
  policies: LdapPolicyMap;
  sync?: LdapSync;
}

const always = (action: string) => () => action;

function ldapOf(c: AdminCall): LdapAdmin {
  if (!c.deps.ldap) throw new GranaryError('NotImplemented', 'This server runs without LDAP policy mappings.');
  return c.deps.ldap;
}

function body(c: AdminCall): { dn: unknown; policies: unknown } {
  const b = c.json();
  if (b === null || typeof b !== 'object' || Array.isArray(b)) throw new GranaryError('InvalidInput', 'The request body must be a JSON object: {"dn": "…", "policies": ["…"]}.');
  const o = b as Record<string, unknown>;
  return { dn: o.dn, policies: o.policies };
}

/**
 * LDAP users and groups get policies by DN (MinIO's `idp ldap policy
 * attach/detach/entities`), and an admin can run the directory sync now
 * instead of waiting for its interval.
 */
export const LDAP_ROUTES: AdminRoute[] = [
  { method: 'GET', path: 'ldap/policies', action: always('admin:ListUserPolicies'), run: async (c) => ldapOf(c).policies.list() },
  {
    method: 'POST', path: 'ldap/policies/attach', action: always('admin:AttachUserOrGroupPolicy'),
    run: async (c) => {
      const { dn, policies } = body(c);
      return ldapOf(c).policies.attach(dn, policies);
    },
  },
  {
    method: 'POST', path: 'ldap/policies/detach', action: always('admin:AttachUserOrGroupPolicy'),
    run: async (c) => {
      const { dn, policies } = body(c);
      return ldapOf(c).policies.detach(dn, policies);
    },
  },
  {
    method: 'POST', path: 'ldap/sync', action: always('admin:ConfigUpdate'),
    run: async (c) => {
      const sync = ldapOf(c).sync;
      if (!sync) throw new GranaryError('NotImplemented', 'No LDAP directory is configured on this server (--ldap-url).');
      try {
        return await sync.run();
      } catch (err) {
        throw new GranaryError('InternalError', `The LDAP sync failed: ${(err as Error).message}`);
      }
    },
  },
  {
    method: 'GET', path: 'ldap/sync', action: always('admin:ServerInfo'),
    run: async (c) => {
      const sync = ldapOf(c).sync;
      if (!sync) throw new GranaryError('NotImplemented', 'No LDAP directory is configured on this server (--ldap-url).');
      const s = sync.stats();
      return { ...s, ...(s.lastSuccess !== undefined ? { lastSuccess: new Date(s.lastSuccess).toISOString() } : {}) };
    },
  },
];
