import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { waitFor } from '../audit/audit-helpers.js';
import { startServer, type RunningServer } from '../helpers/server.js';
import { signedFetch, type Account } from '../helpers/signed-fetch.js';
import { GROUPS_BASE, LOOKUP_DN, LOOKUP_PASSWORD, startSlapd, USERS_BASE, type RunningSlapd } from '../helpers/slapd.js';
import { api, consoleUrlOf, expectError, sessionFrom, type ConsoleSessionHandle } from './console-client.js';

/**
 * The console's directory login against Debian's slapd and the engine as a
 * process: the session acts as the STS session AssumeRoleWithLDAPIdentity
 * would issue, so the policy attached to the user's group decides what the
 * console lets them do.
 */
let slapd: RunningSlapd;
let server: RunningServer;
let plain: RunningServer;
let root: Account;
let base: string;

const PASSWORDS = { alice: 'alice-Ldap-pass-1', bob: 'bob-Ldap-pass-2', carol: 'carol-Ldap-pass-3', dave: 'dave-Ldap-pass-4' };

async function ldapLogin(username: string, password: string): Promise<ConsoleSessionHandle> {
  const res = await api(base, 'POST', '/login/ldap', { body: { username, password } });
  assert.equal(res.status, 200, res.text);
  assert.equal(res.body.identity.type, 'session');
  return sessionFrom(res);
}

async function upload(session: ConsoleSessionHandle, key: string, text: string): Promise<Response> {
  return fetch(`${base}/api/v1/buckets/team/object?key=${encodeURIComponent(key)}`, {
    method: 'PUT',
    headers: { cookie: session.cookie, 'x-csrf-token': session.csrf, 'content-type': 'text/plain' },
    body: text,
  });
}

before(async () => {
  slapd = await startSlapd({
    users: Object.entries(PASSWORDS).map(([uid, password]) => ({ uid, password })),
    groups: [{ cn: 'writers', members: ['alice'] }, { cn: 'readers', members: ['bob'] }],
  });
  server = await startServer({
    args: [
      '--ldap-url', slapd.url, '--ldap-lookup-bind-dn', LOOKUP_DN, '--ldap-user-search-base', USERS_BASE, '--ldap-user-search-filter', '(&(objectClass=inetOrgPerson)(uid=%s))',
      '--ldap-group-search-base', GROUPS_BASE, '--ldap-sync-interval', 'off', '--auth-throttle', '3',
    ],
    env: { GRANARY_LDAP_LOOKUP_BIND_PASSWORD: LOOKUP_PASSWORD },
  });
  base = await consoleUrlOf(server);
  root = { endpoint: server.endpoint, accessKey: server.accessKey, secretKey: server.secretKey };
  assert.equal((await signedFetch(root, 'PUT', '/team')).status, 200);
  assert.equal((await signedFetch(root, 'PUT', '/team/plan.txt', 'the plan')).status, 200);
  for (const [dn, policy] of [[slapd.groupDn('writers'), 'readwrite'], [slapd.groupDn('readers'), 'readonly']]) {
    const res = await signedFetch(root, 'POST', '/granary/admin/v1/ldap/policies/attach', JSON.stringify({ dn, policies: [policy] }));
    assert.ok(res.ok, await res.text());
  }
});

after(async () => {
  await server?.stop();
  await plain?.stop();
  await slapd?.stop();
});

describe('console directory login', () => {
  test('the login methods say LDAP is offered, without a session', async () => {
    const res = await api(base, 'GET', '/login/methods');
    assert.equal(res.status, 200, res.text);
    assert.deepEqual(res.body, { ldap: true, oidc: [] });
  });

  test('a writer logs in with their directory password and may upload; the session is the STS session of their DN', async () => {
    const session = await ldapLogin('alice', PASSWORDS.alice);
    const me = await api(base, 'GET', '/session', { session });
    assert.equal(me.status, 200, me.text);
    assert.equal(me.body.identity.name, slapd.userDn('alice'));
    assert.match(me.body.identity.accessKey, /^GT/);
    const put = await upload(session, 'from-alice.txt', 'written by alice');
    assert.equal(put.status, 200, await put.text());
    const got = await signedFetch(root, 'GET', '/team/from-alice.txt');
    assert.equal(await got.text(), 'written by alice');
    // The temporary credentials are listed as an LDAP session of alice's DN, as AssumeRoleWithLDAPIdentity's are.
    const logout = await api(base, 'POST', '/logout', { session });
    assert.equal(logout.status, 204, logout.text);
    expectError(await api(base, 'GET', '/session', { session }), 401, 'SessionExpired');
  });

  test('a reader (readonly: GetObject) may download but not upload', async () => {
    const session = await ldapLogin('bob', PASSWORDS.bob);
    const got = await fetch(`${base}/api/v1/buckets/team/object?key=plan.txt`, { headers: { cookie: session.cookie } });
    assert.equal(got.status, 200);
    assert.equal(await got.text(), 'the plan');
    const put = await upload(session, 'from-bob.txt', 'bob was here');
    assert.equal(put.status, 403, await put.text());
    assert.equal((await signedFetch(root, 'HEAD', '/team/from-bob.txt')).status, 404);
  });

  test('a directory user without any policy is refused like a wrong password', async () => {
    expectError(await api(base, 'POST', '/login/ldap', { body: { username: 'carol', password: PASSWORDS.carol } }), 401, 'InvalidDirectoryLogin');
  });

  test('the temporary key of a directory session cannot be typed into the access-key login', async () => {
    const res = await api(base, 'POST', '/login/ldap', { body: { username: 'alice', password: PASSWORDS.alice } });
    assert.equal(res.status, 200, res.text);
    const accessKey = res.body.identity.accessKey as string;
    expectError(await api(base, 'POST', '/login', { body: { accessKey, secretKey: 'whatever-it-is-not-known' } }), 401, 'InvalidLogin');
  });

  test('missing fields are a clear 400', async () => {
    const res = await api(base, 'POST', '/login/ldap', { body: { username: 'alice' } });
    assert.equal(res.status, 400, res.text);
  });

  test('wrong passwords are refused, then the user is throttled even with the right one', async () => {
    // Earlier tests' refusals counted against this address too: the throttle may hold it back before the third.
    let refused = 0;
    for (let i = 0; i < 3; i++) {
      const res = await api(base, 'POST', '/login/ldap', { body: { username: 'dave', password: `wrong-${i}` } });
      if (res.status === 429) break;
      expectError(res, 401, 'InvalidDirectoryLogin');
      refused++;
    }
    assert.ok(refused >= 1);
    const held = await api(base, 'POST', '/login/ldap', { body: { username: 'dave', password: PASSWORDS.dave } });
    expectError(held, 429, 'SlowDown');
    assert.ok(Number(held.headers.get('retry-after')) >= 1, held.text);
    // Audited: the refusals, naming the method and the user, and the throttling.
    await waitFor('the audited directory login refusal', () => (/audit: login failed [^\n]*"method":"ldap"[^\n]*"user":"dave"/.test(server.output()) ? true : undefined));
    await waitFor('the audited throttling', () => (/audit: login throttled [^\n]*"method":"ldap"/.test(server.output()) ? true : undefined));
  });

  test('without LDAP configured the route says so and the methods say no', async () => {
    plain = await startServer();
    const plainBase = await consoleUrlOf(plain);
    assert.deepEqual((await api(plainBase, 'GET', '/login/methods')).body, { ldap: false, oidc: [] });
    expectError(await api(plainBase, 'POST', '/login/ldap', { body: { username: 'alice', password: PASSWORDS.alice } }), 404, 'LoginMethodNotConfigured');
  });
});
