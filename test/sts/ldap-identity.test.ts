import assert from 'node:assert/strict';
import { waitFor } from '../audit/audit-helpers.js';
import { after, before, describe, test } from 'node:test';
import { GetObjectCommand, PutObjectCommand, S3Client, S3ServiceException } from '@aws-sdk/client-s3';
import { startServer, type RunningServer } from '../helpers/server.js';
import { signedFetch, type Account } from '../helpers/signed-fetch.js';
import { GROUPS_BASE, LOOKUP_DN, LOOKUP_PASSWORD, startSlapd, USERS_BASE, type RunningSlapd } from '../helpers/slapd.js';
import { parsePrometheusText } from '../helpers/prom-text.js';
import { stsPost, type StsCredentials } from './unsigned-sts-client.js';
import { run } from '../helpers/run.js';
import { join } from 'node:path';

/**
 * AssumeRoleWithLDAPIdentity end to end: Debian's slapd, the engine as a
 * process, policies attached to group DNs through the admin API, S3 through
 * the AWS SDK with the temporary credentials, and the sync revoking them.
 */
let slapd: RunningSlapd;
let server: RunningServer;
let root: Account;

const PASSWORDS = { alice: 'alice-Ldap-pass-1', bob: 'bob-Ldap-pass-2', carol: 'carol-Ldap-pass-3' };

function s3(c: StsCredentials): S3Client {
  return new S3Client({ endpoint: server.endpoint, region: 'us-east-1', forcePathStyle: true, credentials: { accessKeyId: c.accessKeyId, secretAccessKey: c.secretAccessKey, sessionToken: c.sessionToken }, maxAttempts: 1 });
}

async function s3Error(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (err) {
    if (err instanceof S3ServiceException) return err.name;
    throw err;
  }
  return 'no error';
}

async function admin(method: string, path: string, body?: unknown): Promise<Response> {
  return signedFetch(root, method, `/granary/admin/v1/${path}`, body === undefined ? undefined : JSON.stringify(body));
}

async function adminOk(method: string, path: string, body?: unknown): Promise<unknown> {
  const res = await admin(method, path, body);
  const text = await res.text();
  assert.ok(res.ok, `${method} ${path} → ${res.status} ${text}`);
  return text ? JSON.parse(text) : undefined;
}

const login = (user: string, password: string) => stsPost(server.endpoint, { Action: 'AssumeRoleWithLDAPIdentity', LDAPUsername: user, LDAPPassword: password });

async function loginOk(user: keyof typeof PASSWORDS): Promise<StsCredentials> {
  const r = await login(user, PASSWORDS[user]);
  assert.equal(r.status, 200, r.body);
  return r.credentials!;
}

before(async () => {
  slapd = await startSlapd({
    users: Object.entries(PASSWORDS).map(([uid, password]) => ({ uid, password })),
    groups: [{ cn: 'writers', members: ['alice'] }, { cn: 'readers', members: ['bob'] }],
  });
  server = await startServer({
    args: [
      '--ldap-url', slapd.url, '--ldap-lookup-bind-dn', LOOKUP_DN, '--ldap-user-search-base', USERS_BASE, '--ldap-user-search-filter', '(&(objectClass=inetOrgPerson)(uid=%s))',
      '--ldap-group-search-base', GROUPS_BASE, '--ldap-sync-interval', 'off', '--metrics-auth', 'public',
    ],
    env: { GRANARY_LDAP_LOOKUP_BIND_PASSWORD: LOOKUP_PASSWORD },
  });
  root = { endpoint: server.endpoint, accessKey: server.accessKey, secretKey: server.secretKey };
  assert.equal((await signedFetch(root, 'PUT', '/team')).status, 200);
  assert.equal((await signedFetch(root, 'PUT', '/team/plan.txt', 'the plan')).status, 200);
  await adminOk('POST', 'ldap/policies/attach', { dn: slapd.groupDn('writers'), policies: ['readwrite'] });
  await adminOk('POST', 'ldap/policies/attach', { dn: slapd.groupDn('readers').toUpperCase(), policies: ['readonly'] });
});

after(async () => {
  await server?.stop();
  await slapd?.stop();
});

describe('AssumeRoleWithLDAPIdentity', () => {
  test('policies attached by DN are listed, normalized; unknown policies and non-DNs are refused', async () => {
    const list = await adminOk('GET', 'ldap/policies') as { dn: string; policies: string[] }[];
    assert.deepEqual(list, [{ dn: slapd.groupDn('readers'), policies: ['readonly'] }, { dn: slapd.groupDn('writers'), policies: ['readwrite'] }]);
    assert.equal((await admin('POST', 'ldap/policies/attach', { dn: slapd.groupDn('readers'), policies: ['no-such-policy'] })).status, 404);
    assert.equal((await admin('POST', 'ldap/policies/attach', { dn: 'just a name', policies: ['readonly'] })).status, 400);
    assert.equal((await admin('POST', 'ldap/policies/detach', { dn: slapd.groupDn('readers'), policies: ['readwrite'] })).status, 404);
  });

  test('directory users get temporary credentials that work with S3 as their group\'s policy says', async () => {
    const alice = await loginOk('alice');
    const bob = await loginOk('bob');
    assert.match(alice.accessKeyId, /^GT/);
    await s3(alice).send(new PutObjectCommand({ Bucket: 'team', Key: 'alice.txt', Body: 'from alice' }));
    const got = await s3(bob).send(new GetObjectCommand({ Bucket: 'team', Key: 'alice.txt' }));
    assert.equal(await got.Body!.transformToString(), 'from alice');
    assert.equal(await s3Error(s3(bob).send(new PutObjectCommand({ Bucket: 'team', Key: 'bob.txt', Body: 'no' }))), 'AccessDenied', 'readers read only');
  });

  test('a wrong password, an unknown user, an injected filter and a user with no policy are refused', async () => {
    for (const [user, password] of [['alice', 'wrong'], ['nobody', 'x'], ['*)(uid=*', PASSWORDS.alice], ['ali*', PASSWORDS.alice], ['*', PASSWORDS.bob]]) {
      const r = await login(user, password);
      assert.equal(r.status, 403, `${user}: ${r.body}`);
      assert.equal(r.code, 'AccessDenied');
      assert.equal(r.credentials, undefined);
    }
    const carol = await login('carol', PASSWORDS.carol);
    assert.equal(carol.code, 'AccessDenied');
    assert.match(carol.body, /No policy is attached/);
    const missing = await stsPost(server.endpoint, { Action: 'AssumeRoleWithLDAPIdentity', LDAPUsername: 'alice' });
    assert.equal(missing.code, 'MissingParameter');
    await waitFor('the audited refusal', () => (/audit: sts refused: AssumeRoleWithLDAPIdentity/.test(server.output()) ? true : undefined));
  });

  test('granary admin ldap attach / policies / detach / sync', async () => {
    const cli = (args: string[]) => run(process.execPath, ['--import', 'tsx', join(import.meta.dirname, '../../engine/cli/main.ts'), 'admin', '--endpoint', server.endpoint, ...args],
      { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: server.root, GRANARY_ROOT_USER: server.accessKey, GRANARY_ROOT_PASSWORD: server.secretKey }, { allowFail: true, timeoutMs: 60_000 });
    const dn = 'CN=Auditors, OU=Groups, DC=granary, DC=test';
    let r = await cli(['ldap', 'attach', 'readonly', 'diagnostics', '--dn', dn]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /cn=auditors,ou=groups,dc=granary,dc=test now has diagnostics, readonly/);
    r = await cli(['--json', 'ldap', 'policies']);
    assert.deepEqual((JSON.parse(r.stdout) as { dn: string; policies: string[] }[]).find((m) => m.dn.startsWith('cn=auditors')), { dn: 'cn=auditors,ou=groups,dc=granary,dc=test', policies: ['diagnostics', 'readonly'] });
    r = await cli(['ldap', 'detach', 'readonly', 'diagnostics', '--dn', dn]);
    assert.equal(r.code, 0, r.stderr);
    r = await cli(['ldap', 'attach', 'readonly']);
    assert.equal(r.code, 2, 'no --dn is a usage error');
    r = await cli(['ldap', 'attach', 'no-such-policy', '--dn', dn]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /NoSuchEntity/);
    r = await cli(['ldap', 'sync']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /Sessions revoked: +0/);
  });

  test('the sync revokes a removed user\'s credentials and a session whose groups changed; the rest keep working', async () => {
    const alice = await loginOk('alice');
    const bob = await loginOk('bob');
    const carolPolicy = await adminOk('POST', 'ldap/policies/attach', { dn: slapd.userDn('carol'), policies: ['readonly'] }) as { policies: string[] };
    assert.deepEqual(carolPolicy.policies, ['readonly']);
    const carol = await loginOk('carol');
    await s3(alice).send(new GetObjectCommand({ Bucket: 'team', Key: 'plan.txt' }));

    await slapd.ldif('ldapdelete', `${slapd.userDn('alice')}\n`);
    await slapd.ldif('ldapmodify', `dn: ${slapd.groupDn('writers')}\nchangetype: modify\nadd: member\nmember: ${slapd.userDn('bob')}\n`);
    const report = await adminOk('POST', 'ldap/sync') as { users: number; revokedSessions: number };
    assert.ok(report.users >= 3);
    assert.ok(report.revokedSessions >= 2, JSON.stringify(report));

    assert.equal(await s3Error(s3(alice).send(new GetObjectCommand({ Bucket: 'team', Key: 'plan.txt' }))), 'AccessDenied', 'alice left the directory');
    assert.equal(await s3Error(s3(bob).send(new GetObjectCommand({ Bucket: 'team', Key: 'plan.txt' }))), 'AccessDenied', 'bob\'s groups changed');
    const still = await s3(carol).send(new GetObjectCommand({ Bucket: 'team', Key: 'plan.txt' }));
    assert.equal(await still.Body!.transformToString(), 'the plan', 'carol is unchanged');
    assert.equal((await login('alice', PASSWORDS.alice)).code, 'AccessDenied', 'alice cannot log in again');
    const bobAgain = await loginOk('bob');
    await s3(bobAgain).send(new PutObjectCommand({ Bucket: 'team', Key: 'bob.txt', Body: 'now a writer' }));

    const metrics = parsePrometheusText(await (await fetch(`${server.endpoint}/granary/v1/metrics`)).text());
    const runs = metrics.get('granary_ldap_sync_runs_total')!.samples.find((s) => s.labels.result === 'success')!;
    assert.ok(runs.value >= 1);
    assert.ok(metrics.get('granary_ldap_sync_last_success_timestamp_seconds')!.samples[0].value > 0);
    await waitFor('the audited revocation', () => (/audit: ldap sync revoked credentials/.test(server.output()) ? true : undefined));
  });

  test('a sync with the directory down revokes nothing and counts a failure', async () => {
    const bob = await loginOk('bob');
    await slapd.stop();
    const res = await admin('POST', 'ldap/sync');
    assert.equal(res.status, 500);
    await s3(bob).send(new GetObjectCommand({ Bucket: 'team', Key: 'plan.txt' }));
    const metrics = parsePrometheusText(await (await fetch(`${server.endpoint}/granary/v1/metrics`)).text());
    assert.equal(metrics.get('granary_ldap_sync_runs_total')!.samples.find((s) => s.labels.result === 'failure')!.value, 1);
    const down = await login('bob', PASSWORDS.bob);
    assert.equal(down.code, 'IDPCommunicationError');
  });
});
