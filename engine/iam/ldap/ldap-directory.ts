import { Client, InvalidCredentialsError, NoSuchObjectError, type Entry } from 'ldapts';
import type { ConnectionOptions } from 'node:tls';
import { checkLdapConfig, type LdapConfig } from './ldap-config.js';
import { fillFilter, normalizeDn } from './ldap-filter.js';

/** A directory user as Granary sees them: DNs normalized (see normalizeDn). */
export interface LdapUser {
  username: string;
  dn: string;
  /** DNs of the groups the group search found. */
  groups: string[];
}

/**
 * `credentials`: wrong password, unknown or ambiguous user, disabled
 * account — one kind, so a caller cannot tell which (no user enumeration).
 * `unavailable`: the directory could not be asked (down, TLS, timeout,
 * lookup bind refused).
 */
export type LdapErrorKind = 'credentials' | 'unavailable';

export class LdapError extends Error {
  override name = 'LdapError';
  constructor(readonly kind: LdapErrorKind, message: string) {
    super(message);
  }
}

/** Longest user name sent to the directory. */
const MAX_USERNAME = 256;

/** AD's userAccountControl ACCOUNTDISABLE bit. */
const AD_ACCOUNT_DISABLED = 0x2;

/**
 * The LDAP / Active Directory client: checks a user's password by binding as
 * them (after finding their DN with the lookup account), finds their groups,
 * and looks users up again for the periodic sync. One connection per call,
 * closed after it: logins and syncs are rare next to S3 requests.
 */
export class LdapDirectory {
  constructor(readonly config: LdapConfig) {
    checkLdapConfig(config);
  }

  /** The user behind a name and password, with their groups; LdapError otherwise. */
  async authenticate(username: string, password: string): Promise<LdapUser> {
    checkUsername(username);
    // An empty password would make an "unauthenticated bind", which many servers accept as success.
    if (password.length === 0) throw new LdapError('credentials', 'the LDAP password is empty');
    return this.withLookup(async (client) => {
      const entry = await this.findUser(client, username);
      if (entry === undefined) throw new LdapError('credentials', `no directory user matches ${JSON.stringify(username)}`);
      if (isDisabled(entry)) throw new LdapError('credentials', `the directory account ${entry.dn} is disabled`);
      await this.bindAs(entry.dn, password);
      return { username, dn: normalizeDn(entry.dn), groups: await this.groupsOf(client, username, entry.dn) };
    });
  }

  /**
   * For the sync: each user as the directory has them now (by the name they
   * logged in with), or null when they are gone or disabled.
   */
  async lookupUsers(usernames: string[]): Promise<Map<string, LdapUser | null>> {
    return this.withLookup(async (client) => {
      const found = new Map<string, LdapUser | null>();
      for (const username of usernames) {
        const entry = await this.findUser(client, username).catch((err: unknown) => {
          if (err instanceof LdapError && err.kind === 'credentials') return undefined;
          throw err;
        });
        found.set(username, entry === undefined || isDisabled(entry) ? null : { username, dn: normalizeDn(entry.dn), groups: await this.groupsOf(client, username, entry.dn) });
      }
      return found;
    });
  }

  private tlsOptions(): ConnectionOptions {
    return { ...(this.config.caPem !== undefined ? { ca: this.config.caPem } : {}), minVersion: 'TLSv1.2' };
  }

  private async connect(): Promise<Client> {
    // ldapts speaks TLS from the first byte whenever tlsOptions are given: only for ldaps://.
    const ldaps = this.config.url.toLowerCase().startsWith('ldaps:');
    const client = new Client({ url: this.config.url, timeout: this.config.timeoutMs, connectTimeout: this.config.timeoutMs, ...(ldaps ? { tlsOptions: this.tlsOptions() } : {}) });
    if (this.config.startTls) {
      try {
        await client.startTLS(this.tlsOptions());
      } catch (err) {
        await client.unbind().catch(() => undefined);
        throw unavailable('StartTLS failed', err);
      }
    }
    return client;
  }

  private async withLookup<T>(fn: (client: Client) => Promise<T>): Promise<T> {
    let client: Client | undefined;
    try {
      client = await this.connect();
      try {
        await client.bind(this.config.lookupBindDn, this.config.lookupBindPassword);
      } catch (err) {
        throw unavailable('the lookup bind was refused', err);
      }
      return await fn(client);
    } catch (err) {
      throw err instanceof LdapError ? err : unavailable('the directory could not be searched', err);
    } finally {
      await client?.unbind().catch(() => undefined);
    }
  }

  private async bindAs(dn: string, password: string): Promise<void> {
    const client = await this.connect();
    try {
      await client.bind(dn, password);
    } catch (err) {
      if (err instanceof InvalidCredentialsError) throw new LdapError('credentials', `the directory refused the password of ${dn}`);
      throw unavailable('the user bind failed', err);
    } finally {
      await client.unbind().catch(() => undefined);
    }
  }

  private async findUser(client: Client, username: string): Promise<Entry | undefined> {
    checkUsername(username);
    const filter = fillFilter(this.config.userSearchFilter, { username });
    let entries: Entry[];
    try {
      ({ searchEntries: entries } = await client.search(this.config.userSearchBase, { scope: 'sub', filter, attributes: ['dn', 'userAccountControl', 'pwdAccountLockedTime'], sizeLimit: 2 }));
    } catch (err) {
      if (err instanceof NoSuchObjectError) return undefined;
      throw unavailable('the user search failed', err);
    }
    if (entries.length > 1) throw new LdapError('credentials', `${JSON.stringify(username)} matches more than one directory entry`);
    return entries[0];
  }

  private async groupsOf(client: Client, username: string, dn: string): Promise<string[]> {
    if (this.config.groupSearchBase === undefined || this.config.groupSearchFilter === undefined) return [];
    const filter = fillFilter(this.config.groupSearchFilter, { username, dn });
    try {
      const { searchEntries } = await client.search(this.config.groupSearchBase, { scope: 'sub', filter, attributes: ['dn'] });
      return [...new Set(searchEntries.map((e) => normalizeDn(e.dn)))].sort();
    } catch (err) {
      if (err instanceof NoSuchObjectError) return [];
      throw unavailable('the group search failed', err);
    }
  }
}

function checkUsername(username: string): void {
  if (username.length === 0 || username.length > MAX_USERNAME || /[\u0000-\u001f\u007f]/.test(username)) {
    throw new LdapError('credentials', 'the LDAP user name is empty, too long or has control characters');
  }
}

function isDisabled(entry: Entry): boolean {
  const uac = Number(first(entry.userAccountControl));
  if (Number.isInteger(uac) && (uac & AD_ACCOUNT_DISABLED) !== 0) return true;
  return first(entry.pwdAccountLockedTime) !== undefined;
}

function first(v: Entry[string] | undefined): string | undefined {
  const x = Array.isArray(v) ? v[0] : v;
  return x === undefined ? undefined : Buffer.isBuffer(x) ? x.toString('utf8') : String(x);
}

function unavailable(what: string, err: unknown): LdapError {
  return new LdapError('unavailable', `${what}: ${err instanceof Error ? err.message : String(err)}`);
}
