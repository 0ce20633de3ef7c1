import { readFileSync } from 'node:fs';
import { checkLdapConfig, LdapConfigError, type LdapConfig } from '../iam/ldap/ldap-config.js';
import { UsageError } from './args.js';
import { parseDurationFlag } from './duration-flag.js';

export const LDAP_FLAGS = [
  'ldap-url', 'ldap-ca', 'ldap-lookup-bind-dn', 'ldap-user-search-base', 'ldap-user-search-filter',
  'ldap-group-search-base', 'ldap-group-search-filter', 'ldap-timeout', 'ldap-sync-interval',
] as const;
export const LDAP_BOOLEAN_FLAGS = ['ldap-starttls'] as const;

export const LDAP_USAGE = `[--ldap-url ldap[s]://HOST:PORT [--ldap-starttls] [--ldap-ca PEM]
                       --ldap-lookup-bind-dn DN --ldap-user-search-base DN [--ldap-user-search-filter '(uid=%s)']
                       [--ldap-group-search-base DN [--ldap-group-search-filter '(&(objectClass=groupOfNames)(member=%d))']]
                       [--ldap-timeout 5s] [--ldap-sync-interval 15m|off]]
  (the lookup bind password comes from GRANARY_LDAP_LOOKUP_BIND_PASSWORD)`;

export interface LdapServerConfig {
  directory: LdapConfig;
  /** Milliseconds between directory syncs; 0: never (only when triggered through the admin API). */
  syncIntervalMs: number;
}

const DEFAULT_SYNC_MS = 15 * 60_000;

/** `--ldap-*`: the directory for AssumeRoleWithLDAPIdentity and the periodic sync; undefined without --ldap-url. */
export function parseLdapFlags(flags: Map<string, string>, env: NodeJS.ProcessEnv = process.env): LdapServerConfig | undefined {
  const url = flags.get('ldap-url');
  if (url === undefined) {
    const orphan = [...LDAP_FLAGS, ...LDAP_BOOLEAN_FLAGS].find((f) => flags.has(f));
    if (orphan) throw new UsageError(`--${orphan} needs --ldap-url`);
    return undefined;
  }
  const need = (flag: string) => {
    const v = flags.get(flag);
    if (v === undefined || v === '') throw new UsageError(`--ldap-url needs --${flag}`);
    return v;
  };
  const password = env.GRANARY_LDAP_LOOKUP_BIND_PASSWORD;
  if (!password) throw new UsageError('--ldap-url needs the lookup bind password in GRANARY_LDAP_LOOKUP_BIND_PASSWORD');
  let caPem: string | undefined;
  const caFile = flags.get('ldap-ca');
  if (caFile !== undefined) {
    try {
      caPem = readFileSync(caFile, 'utf8');
    } catch (err) {
      throw new UsageError(`--ldap-ca ${caFile}: ${(err as Error).message}`);
    }
    if (!caPem.includes('-----BEGIN CERTIFICATE-----')) throw new UsageError(`--ldap-ca ${caFile} holds no PEM certificate`);
  }
  const groupBase = flags.get('ldap-group-search-base');
  const groupFilter = flags.get('ldap-group-search-filter');
  if (groupFilter !== undefined && groupBase === undefined) throw new UsageError('--ldap-group-search-filter needs --ldap-group-search-base');
  const directory: LdapConfig = {
    url,
    startTls: flags.has('ldap-starttls'),
    ...(caPem !== undefined ? { caPem } : {}),
    lookupBindDn: need('ldap-lookup-bind-dn'),
    lookupBindPassword: password,
    userSearchBase: need('ldap-user-search-base'),
    userSearchFilter: flags.get('ldap-user-search-filter') ?? '(uid=%s)',
    ...(groupBase !== undefined ? { groupSearchBase: groupBase, groupSearchFilter: groupFilter ?? '(&(objectClass=groupOfNames)(member=%d))' } : {}),
    timeoutMs: flags.has('ldap-timeout') ? parseDurationFlag('ldap-timeout', flags.get('ldap-timeout')!) : 5000,
  };
  try {
    checkLdapConfig(directory);
  } catch (err) {
    if (err instanceof LdapConfigError) throw new UsageError(`LDAP: ${err.message}`);
    throw err;
  }
  const sync = flags.get('ldap-sync-interval');
  const syncIntervalMs = sync === undefined ? DEFAULT_SYNC_MS : sync === 'off' ? 0 : parseDurationFlag('ldap-sync-interval', sync);
  return { directory, syncIntervalMs };
}
