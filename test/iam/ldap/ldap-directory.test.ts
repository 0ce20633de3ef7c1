import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { LdapDirectory, LdapError } from '../../../engine/iam/ldap/ldap-directory.js';
import { LdapConfigError, type LdapConfig } from '../../../engine/iam/ldap/ldap-config.js';
import { escapeFilterValue, fillFilter, normalizeDn } from '../../../engine/iam/ldap/ldap-filter.js';
import { GROUPS_BASE, LOOKUP_DN, LOOKUP_PASSWORD, startSlapd, USERS_BASE, type RunningSlapd } from '../../helpers/slapd.js';

/** The directory client against Debian's real slapd, seeded by the test. */
let slapd: RunningSlapd;

const config = (over: Partial<LdapConfig> = {}): LdapConfig => ({
  url: slapd.url,
  startTls: false,
  lookupBindDn: LOOKUP_DN,
  lookupBindPassword: LOOKUP_PASSWORD,
  userSearchBase: USERS_BASE,
  userSearchFilter: '(uid=%s)',
  groupSearchBase: GROUPS_BASE,
  groupSearchFilter: '(&(objectClass=groupOfNames)(member=%d))',
  timeoutMs: 10_000,
  ...over,
});

async function refusedAs(p: Promise<unknown>, kind: LdapError['kind']): Promise<void> {
  await assert.rejects(p, (err: unknown) => err instanceof LdapError && err.kind === kind);
}

before(async () => {
  slapd = await startSlapd({
    tls: true,
    users: [
      { uid: 'alice', password: 'alice-Directory-pw1' },
      { uid: 'bob', password: 'bob-Directory-pw2' },
      { uid: 'carol', password: 'carol-Directory-pw3' },
    ],
    groups: [
      { cn: 'staff', members: ['alice', 'bob'] },
      { cn: 'admins', members: ['alice'] },
    ],
  });
});

after(async () => {
  await slapd?.stop();
});

describe('LDAP directory (real slapd)', () => {
  test('a user binds with their password and gets their groups by DN', async () => {
    const user = await new LdapDirectory(config()).authenticate('alice', 'alice-Directory-pw1');
    assert.equal(user.dn, slapd.userDn('alice'));
    assert.deepEqual(user.groups, [slapd.groupDn('admins'), slapd.groupDn('staff')].sort());
    const carol = await new LdapDirectory(config()).authenticate('carol', 'carol-Directory-pw3');
    assert.deepEqual(carol.groups, []);
  });

  test('a wrong, empty or another user\'s password is refused', async () => {
    const dir = new LdapDirectory(config());
    await refusedAs(dir.authenticate('alice', 'wrong-password'), 'credentials');
    await refusedAs(dir.authenticate('alice', ''), 'credentials');
    await refusedAs(dir.authenticate('alice', 'bob-Directory-pw2'), 'credentials');
    await refusedAs(dir.authenticate('nobody', 'alice-Directory-pw1'), 'credentials');
  });

  test('filter syntax in a user name stays literal (RFC 4515): no injection, no wildcard login', async () => {
    const dir = new LdapDirectory(config());
    // Unescaped, `(uid=al*)` would find alice and her password would log "al*" in as her.
    await refusedAs(dir.authenticate('al*', 'alice-Directory-pw1'), 'credentials');
    await refusedAs(dir.authenticate('*)(uid=*', 'alice-Directory-pw1'), 'credentials');
    await refusedAs(dir.authenticate('*', 'alice-Directory-pw1'), 'credentials');
    await refusedAs(dir.authenticate('alice)(|(uid=*', 'alice-Directory-pw1'), 'credentials');
    await refusedAs(dir.authenticate('alice\u0000', 'alice-Directory-pw1'), 'credentials');
    assert.equal(escapeFilterValue('*)(uid=*'), '\\2a\\29\\28uid=\\2a');
    assert.equal(escapeFilterValue('a\\b\u0000'), 'a\\5cb\\00');
    assert.equal(fillFilter('(&(member=%d)(cn=%s))', { username: 'x*', dn: 'uid=a(b),dc=x' }), '(&(member=uid=a\\28b\\29,dc=x)(cn=x\\2a))');
  });

  test('StartTLS and LDAPS with the CA file; an untrusted server certificate is refused', async () => {
    const starttls = await new LdapDirectory(config({ startTls: true, caPem: slapd.caPem! })).authenticate('bob', 'bob-Directory-pw2');
    assert.deepEqual(starttls.groups, [slapd.groupDn('staff')]);
    const ldaps = await new LdapDirectory(config({ url: slapd.ldapsUrl!, caPem: slapd.caPem! })).authenticate('bob', 'bob-Directory-pw2');
    assert.equal(ldaps.dn, slapd.userDn('bob'));
    await refusedAs(new LdapDirectory(config({ url: slapd.ldapsUrl! })).authenticate('bob', 'bob-Directory-pw2'), 'unavailable');
    await refusedAs(new LdapDirectory(config({ startTls: true })).authenticate('bob', 'bob-Directory-pw2'), 'unavailable');
  });

  test('a wrong lookup password or a directory that is not there is "unavailable", not a bad login', async () => {
    await refusedAs(new LdapDirectory(config({ lookupBindPassword: 'nope' })).authenticate('alice', 'alice-Directory-pw1'), 'unavailable');
    await refusedAs(new LdapDirectory(config({ url: 'ldap://127.0.0.1:1', timeoutMs: 3000 })).authenticate('alice', 'alice-Directory-pw1'), 'unavailable');
  });

  test('lookups for the sync see removed users and changed groups', async () => {
    const dir = new LdapDirectory(config());
    await slapd.ldif('ldapadd', 'dn: uid=dave,ou=people,dc=granary,dc=test\nobjectClass: inetOrgPerson\nuid: dave\ncn: dave\nsn: dave\nuserPassword: dave-pw-4\n');
    let seen = await dir.lookupUsers(['alice', 'dave', 'ghost']);
    assert.deepEqual(seen.get('dave'), { username: 'dave', dn: slapd.userDn('dave'), groups: [] });
    assert.equal(seen.get('ghost'), null);
    await slapd.ldif('ldapdelete', `${slapd.userDn('dave')}\n`);
    await slapd.ldif('ldapmodify', `dn: ${slapd.groupDn('staff')}\nchangetype: modify\ndelete: member\nmember: ${slapd.userDn('alice')}\n`);
    seen = await dir.lookupUsers(['alice', 'dave']);
    assert.equal(seen.get('dave'), null, 'a deleted user is gone');
    assert.deepEqual(seen.get('alice')!.groups, [slapd.groupDn('admins')], 'alice left staff');
  });

  test('settings that cannot work are refused before any connection', () => {
    assert.throws(() => new LdapDirectory(config({ userSearchFilter: '(uid=alice)' })), LdapConfigError);
    assert.throws(() => new LdapDirectory(config({ url: 'http://x/' })), LdapConfigError);
    assert.throws(() => new LdapDirectory(config({ url: 'ldaps://x/', startTls: true })), LdapConfigError);
    assert.throws(() => new LdapDirectory(config({ groupSearchFilter: undefined })), LdapConfigError);
    assert.equal(normalizeDn(' UID=Alice , OU=People,dc=Granary '), 'uid=alice,ou=people,dc=granary');
  });
});
