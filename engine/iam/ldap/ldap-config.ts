/** How Granary reaches and reads the directory (MinIO's identity_ldap settings). */
export interface LdapConfig {
  /** `ldap://host:port` (with or without StartTLS) or `ldaps://host:port`. */
  url: string;
  /** Upgrade an ldap:// connection with StartTLS before binding. */
  startTls: boolean;
  /** PEM of the CA(s) the server certificate must chain to; the system's when absent. */
  caPem?: string;
  /** The read-only account that searches users and groups. */
  lookupBindDn: string;
  lookupBindPassword: string;
  userSearchBase: string;
  /** E.g. `(uid=%s)` or `(&(objectClass=user)(sAMAccountName=%s))`: `%s` is the escaped user name. */
  userSearchFilter: string;
  /** Absent: users have no directory groups. */
  groupSearchBase?: string;
  /** E.g. `(&(objectClass=groupOfNames)(member=%d))`: `%d` the escaped user DN, `%s` the escaped user name. */
  groupSearchFilter?: string;
  /** Per connection and per operation. */
  timeoutMs: number;
}

export class LdapConfigError extends Error {
  override name = 'LdapConfigError';
}

/** Refuses settings that cannot work, before any connection is tried. */
export function checkLdapConfig(c: LdapConfig): void {
  let url: URL;
  try {
    url = new URL(c.url);
  } catch {
    throw new LdapConfigError(`${JSON.stringify(c.url)} is not an LDAP URL (ldap://host:389 or ldaps://host:636)`);
  }
  if (url.protocol !== 'ldap:' && url.protocol !== 'ldaps:') throw new LdapConfigError(`${c.url}: the scheme must be ldap or ldaps`);
  if (url.protocol === 'ldaps:' && c.startTls) throw new LdapConfigError('StartTLS upgrades a plain ldap:// connection; ldaps:// is TLS already');
  if (c.caPem !== undefined && url.protocol === 'ldap:' && !c.startTls) throw new LdapConfigError('a CA file needs ldaps:// or StartTLS');
  if (!c.lookupBindDn || !c.lookupBindPassword) throw new LdapConfigError('the lookup bind DN and password are both needed');
  if (!c.userSearchBase) throw new LdapConfigError('the user search base DN is needed');
  if (!c.userSearchFilter.includes('%s')) throw new LdapConfigError(`the user search filter ${JSON.stringify(c.userSearchFilter)} must contain %s (the user name)`);
  if ((c.groupSearchBase === undefined) !== (c.groupSearchFilter === undefined)) throw new LdapConfigError('the group search base and filter go together');
  if (c.groupSearchFilter !== undefined && !/%[sd]/.test(c.groupSearchFilter)) throw new LdapConfigError(`the group search filter ${JSON.stringify(c.groupSearchFilter)} must contain %d (the user DN) or %s (the user name)`);
  if (!(c.timeoutMs > 0)) throw new LdapConfigError('the LDAP timeout must be positive');
}
