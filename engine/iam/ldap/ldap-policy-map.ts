import { GranaryError } from '../../common/errors.js';
import type { IamService } from '../iam-service.js';
import { normalizeDn } from './ldap-filter.js';

/** Where the DN → policies map lives: an IAM setting, so it is persisted, snapshotted to the drives and audited as every IAM change. */
export const LDAP_POLICY_SETTING = 'ldap.policyMap';

type Store = Pick<IamService, 'setting' | 'setSetting' | 'getPolicy'>;

export interface LdapPolicyMapping {
  dn: string;
  policies: string[];
}

const MAX_DN = 1024;

/**
 * Policies attached to LDAP users and groups by their distinguished name
 * (MinIO's `idp ldap policy attach`). A directory user logging in gets the
 * union of what their own DN and each of their groups' DNs carry.
 */
export class LdapPolicyMap {
  private cache: { raw: string | undefined; map: Map<string, string[]> } | undefined;

  constructor(private readonly iam: Store) {}

  list(): LdapPolicyMapping[] {
    return [...this.map().entries()].map(([dn, policies]) => ({ dn, policies })).sort((a, b) => a.dn.localeCompare(b.dn));
  }

  /** The policies a user with this DN and these group DNs gets (normalized DNs), sorted. */
  policiesFor(userDn: string, groupDns: readonly string[]): string[] {
    const map = this.map();
    const out = new Set<string>();
    for (const dn of [userDn, ...groupDns]) for (const p of map.get(normalizeDn(dn)) ?? []) out.add(p);
    return [...out].sort();
  }

  async attach(dnText: unknown, names: unknown): Promise<LdapPolicyMapping> {
    const dn = checkDn(dnText);
    const policies = checkNames(names);
    for (const p of policies) this.iam.getPolicy(p);
    const map = this.map();
    const merged = [...new Set([...(map.get(dn) ?? []), ...policies])].sort();
    await this.save(new Map(map).set(dn, merged));
    return { dn, policies: merged };
  }

  async detach(dnText: unknown, names: unknown): Promise<LdapPolicyMapping> {
    const dn = checkDn(dnText);
    const policies = checkNames(names);
    const map = this.map();
    const had = map.get(dn) ?? [];
    const missing = policies.filter((p) => !had.includes(p));
    if (missing.length) throw new GranaryError('NoSuchEntity', `${missing.join(', ')} ${missing.length === 1 ? 'is' : 'are'} not attached to ${dn}.`);
    const left = had.filter((p) => !policies.includes(p));
    const next = new Map(map);
    if (left.length) next.set(dn, left);
    else next.delete(dn);
    await this.save(next);
    return { dn, policies: left };
  }

  private map(): Map<string, string[]> {
    const raw = this.iam.setting(LDAP_POLICY_SETTING);
    if (this.cache === undefined || this.cache.raw !== raw) {
      let parsed: Record<string, string[]> = {};
      try {
        parsed = raw === undefined ? {} : (JSON.parse(raw) as Record<string, string[]>);
      } catch {
        parsed = {};
      }
      this.cache = { raw, map: new Map(Object.entries(parsed)) };
    }
    return this.cache.map;
  }

  private async save(map: Map<string, string[]>): Promise<void> {
    await this.iam.setSetting(LDAP_POLICY_SETTING, map.size ? JSON.stringify(Object.fromEntries(map)) : null);
  }
}

function checkDn(dn: unknown): string {
  if (typeof dn !== 'string' || dn.length === 0 || dn.length > MAX_DN || !dn.includes('=') || /[\u0000-\u001f]/.test(dn)) {
    throw new GranaryError('InvalidInput', 'Name an LDAP distinguished name, e.g. {"dn": "cn=staff,ou=groups,dc=example,dc=org"}.');
  }
  return normalizeDn(dn);
}

function checkNames(names: unknown): string[] {
  const list = typeof names === 'string' ? [names] : names;
  if (!Array.isArray(list) || list.length === 0 || !list.every((n) => typeof n === 'string' && n.length > 0)) {
    throw new GranaryError('InvalidInput', 'Name the policies: {"policies": ["readonly", …]}.');
  }
  return [...new Set(list as string[])];
}
