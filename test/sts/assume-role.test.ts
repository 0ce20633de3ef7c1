import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { putTarget, waitFor } from '../audit/audit-helpers.js';
import { run } from '../helpers/run.js';
import { startServer, type RunningServer } from '../helpers/server.js';
import { signedFetch, type Account } from '../helpers/signed-fetch.js';
import { credentialsOf, stsPost, type TempCredentials } from './sts-client.js';

/**
 * AssumeRole end to end: aws-cli asks a real server for temporary
 * credentials, which then work with aws-cli and the SDK over S3, within the
 * session policy, and stop working when they expire, are revoked, or their
 * parent is disabled or removed. The server runs with --sts-min-duration 1
 * (test only) so that expiry can be seen in seconds.
 */
const MAIN = join(import.meta.dirname, '../../engine/cli/main.ts');
const ALICE_SECRET = 'Tq8#vN3!pLw6zRx2';
const PHOTOS_ONLY = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: ['s3:*'], Resource: ['arn:aws:s3:::photos', 'arn:aws:s3:::photos/*'] }] });

let server: RunningServer & { kill: () => Promise<void> };
let root: Account;
let alice: Account;

function awsEnv(c: { AccessKeyId: string; SecretAccessKey: string; SessionToken?: string }): Record<string, string> {
  return {
    PATH: '/usr/bin:/bin',
    HOME: server.root,
    AWS_ACCESS_KEY_ID: c.AccessKeyId,
    AWS_SECRET_ACCESS_KEY: c.SecretAccessKey,
    ...(c.SessionToken ? { AWS_SESSION_TOKEN: c.SessionToken } : {}),
    AWS_DEFAULT_REGION: 'us-east-1',
    AWS_CONFIG_FILE: join(server.root, 'aws-config'),
    AWS_SHARED_CREDENTIALS_FILE: join(server.root, 'aws-credentials'),
    AWS_EC2_METADATA_DISABLED: 'true',
  };
}

function aws(args: string[], env: Record<string, string>) {
  return run('/usr/bin/aws', ['--endpoint-url', server.endpoint, ...args], env, { allowFail: true, timeoutMs: 60_000 });
}

async function assumeRoleCli(who: Account, extra: string[] = []): Promise<TempCredentials> {
  const r = await aws(['sts', 'assume-role', '--role-arn', 'arn:aws:iam::000000000000:role/any', '--role-session-name', 'test-session', '--output', 'json', ...extra], awsEnv({ AccessKeyId: who.accessKey, SecretAccessKey: who.secretKey }));
  assert.equal(r.code, 0, r.stderr);
  return (JSON.parse(r.stdout) as { Credentials: TempCredentials }).Credentials;
}

async function assumeRole(who: Account, params: Record<string, string> = {}): Promise<TempCredentials> {
  return credentialsOf(await stsPost(server.endpoint, { Action: 'AssumeRole', ...params }, who), 'AssumeRole');
}

function sdk(c: TempCredentials, token = c.SessionToken): S3Client {
  return new S3Client({ endpoint: server.endpoint, region: 'us-east-1', forcePathStyle: true, credentials: { accessKeyId: c.AccessKeyId, secretAccessKey: c.SecretAccessKey, sessionToken: token } });
}

/** The S3 error code of a request with these credentials, or 'ok'. */
async function s3Outcome(c: TempCredentials, token = c.SessionToken): Promise<string> {
  const client = sdk(c, token);
  try {
    await client.send(new PutObjectCommand({ Bucket: 'photos', Key: 'probe.txt', Body: 'probe' }));
    return 'ok';
  } catch (err) {
    return (err as { name: string }).name;
  } finally {
    client.destroy();
  }
}

async function admin(args: string[]) {
  return run(process.execPath, ['--import', 'tsx', MAIN, 'admin', '--endpoint', server.endpoint, '--access-key', root.accessKey, '--secret-key', root.secretKey, ...args], { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: server.root }, { allowFail: true, timeoutMs: 60_000 });
}

async function sessionCount(): Promise<number> {
  const res = await signedFetch(root, 'GET', '/granary/admin/v1/temporary-accounts');
  assert.equal(res.status, 200);
  return ((await res.json()) as unknown[]).length;
}

describe('STS AssumeRole', () => {
  before(async () => {
    // Throttling off: this file makes many refused requests on purpose.
    server = await startServer({ args: ['--sts-min-duration', '1', '--auth-throttle', '0'] });
    root = { endpoint: server.endpoint, accessKey: server.accessKey, secretKey: server.secretKey };
    alice = { endpoint: server.endpoint, accessKey: 'alice', secretKey: ALICE_SECRET };
    const made = await signedFetch(root, 'PUT', '/granary/admin/v1/users/alice', JSON.stringify({ secretKey: ALICE_SECRET, policies: ['readwrite'] }));
    assert.equal(made.status, 200, await made.text());
    for (const b of ['photos', 'other']) assert.equal((await signedFetch(root, 'PUT', `/${b}`)).status, 200);
  });
  after(async () => {
    await server?.stop();
  });

  it('aws sts assume-role: the credentials work with aws s3 cp and the SDK, within the session policy', async () => {
    const file = join(server.root, 'hello.txt');
    writeFileSync(file, 'hello from a session');
    const full = await assumeRoleCli(alice, ['--duration-seconds', '900']);
    assert.match(full.AccessKeyId, /^GT[A-Z0-9]{18}$/);
    assert.ok(Date.parse(full.Expiration) > Date.now() + 800_000);
    let r = await aws(['s3', 'cp', file, 's3://other/hello.txt'], awsEnv(full));
    assert.equal(r.code, 0, r.stderr);
    r = await aws(['sts', 'get-caller-identity', '--output', 'json'], awsEnv(full));
    assert.equal(r.code, 0, r.stderr);
    assert.match((JSON.parse(r.stdout) as { Arn: string }).Arn, /assumed-role\/alice\//);

    const narrow = await assumeRoleCli(alice, ['--policy', PHOTOS_ONLY]);
    r = await aws(['s3', 'cp', file, 's3://photos/hello.txt'], awsEnv(narrow));
    assert.equal(r.code, 0, r.stderr);
    r = await aws(['s3', 'cp', file, 's3://other/denied.txt'], awsEnv(narrow));
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /AccessDenied/);
    // The SDK with the same credentials reads back what aws-cli wrote.
    const client = sdk(narrow);
    const got = await client.send(new GetObjectCommand({ Bucket: 'photos', Key: 'hello.txt' }));
    assert.equal(await got.Body!.transformToString(), 'hello from a session');
    await assert.rejects(client.send(new GetObjectCommand({ Bucket: 'other', Key: 'hello.txt' })), /Access ?Denied/i);
    client.destroy();

    // A session can never exceed its parent: readonly alice cannot write even with an all-allowing session policy.
    const all = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: ['s3:*'], Resource: ['arn:aws:s3:::*'] }] });
    const bob = { endpoint: server.endpoint, accessKey: 'bob', secretKey: 'Zb4!rT9#kWq2mXv7' };
    assert.equal((await signedFetch(root, 'PUT', '/granary/admin/v1/users/bob', JSON.stringify({ secretKey: bob.secretKey, policies: ['readonly'] }))).status, 200);
    assert.equal(await s3Outcome(await assumeRole(bob, { Policy: all })), 'AccessDenied');
  });

  it('root and service accounts may assume a role too; temporary credentials may not', async () => {
    assert.equal(await s3Outcome(await assumeRole(root)), 'ok');
    const made = await signedFetch(root, 'PUT', '/granary/admin/v1/service-accounts', JSON.stringify({ parent: 'alice' }));
    assert.equal(made.status, 200);
    const sa = (await made.json()) as { accessKey: string; secretKey: string };
    const viaSa = await assumeRole({ endpoint: server.endpoint, ...sa });
    assert.equal(await s3Outcome(viaSa), 'ok');
    const again = await stsPost(server.endpoint, { Action: 'AssumeRole' }, { endpoint: server.endpoint, accessKey: viaSa.AccessKeyId, secretKey: viaSa.SecretAccessKey, sessionToken: viaSa.SessionToken });
    assert.equal(again.status, 403);
    assert.equal(again.code, 'AccessDenied');
    // Removing the service account ends its sessions.
    assert.equal((await signedFetch(root, 'DELETE', `/granary/admin/v1/service-accounts/${sa.accessKey}`)).status, 204);
    assert.equal(await s3Outcome(viaSa), 'InvalidAccessKeyId');
  });

  it('a tampered or missing token is refused; a presigned URL carries the token', async () => {
    const c = await assumeRole(alice);
    assert.equal(await s3Outcome(c), 'ok');
    const [h, p, sig] = c.SessionToken.split('.');
    const tampered = `${h}.${p}.${sig.slice(0, -2)}${sig.endsWith('AA') ? 'BB' : 'AA'}`;
    assert.equal(await s3Outcome(c, tampered), 'InvalidToken');
    // A token with a changed payload (another parent) is refused just the same.
    const forged = `${h}.${Buffer.from(Buffer.from(p, 'base64url').toString().replace('"alice"', '"root"')).toString('base64url')}.${sig}`;
    assert.equal(await s3Outcome(c, forged), 'InvalidToken');
    const noToken = await signedFetch({ endpoint: server.endpoint, accessKey: c.AccessKeyId, secretKey: c.SecretAccessKey }, 'GET', '/photos');
    assert.equal(noToken.status, 403);
    assert.match(await noToken.text(), /<Code>AccessDenied<\/Code>/);

    const r = await aws(['s3', 'presign', 's3://photos/probe.txt', '--expires-in', '300'], awsEnv(c));
    assert.equal(r.code, 0, r.stderr);
    const url = r.stdout.trim();
    assert.match(url, /X-Amz-Security-Token=/);
    const got = await fetch(url);
    assert.equal(got.status, 200, await got.clone().text());
    assert.equal(await got.text(), 'probe');
    const bad = await fetch(url.replace(/X-Amz-Security-Token=([^&]+)/, (_m, t: string) => `X-Amz-Security-Token=${t.slice(0, -3)}AAA`));
    assert.ok(bad.status === 400 || bad.status === 403, String(bad.status));
    assert.match(await bad.text(), /<Code>(InvalidToken|SignatureDoesNotMatch)<\/Code>/);
  });

  it('credentials are refused once expired (ExpiredToken)', async () => {
    const c = await assumeRole(alice, { DurationSeconds: '2' });
    assert.equal(await s3Outcome(c), 'ok');
    let outcome = 'ok';
    for (let i = 0; i < 120 && outcome === 'ok'; i++) {
      await new Promise((r) => setTimeout(r, 500));
      outcome = await s3Outcome(c);
    }
    assert.equal(outcome, 'ExpiredToken');
    const list = (await (await signedFetch(root, 'GET', '/granary/admin/v1/temporary-accounts?user=alice')).json()) as { accessKey: string; status: string }[];
    assert.equal(list.find((s) => s.accessKey === c.AccessKeyId)?.status, 'expired');
  });

  it('revocation: granary admin sts list / revoke, one or all of a user\'s, at once', async () => {
    const one = await assumeRole(alice);
    const two = await assumeRole(alice);
    const three = await assumeRole(alice);
    for (const c of [one, two, three]) assert.equal(await s3Outcome(c), 'ok');
    let r = await admin(['--json', 'sts', 'list', '--user', 'alice']);
    assert.equal(r.code, 0, r.stderr);
    const listed = JSON.parse(r.stdout) as { accessKey: string; status: string; parent: string }[];
    for (const c of [one, two, three]) assert.equal(listed.find((s) => s.accessKey === c.AccessKeyId)?.status, 'active');
    assert.ok(listed.every((s) => s.parent === 'alice'));
    assert.doesNotMatch(r.stdout, new RegExp(one.SecretAccessKey.replace(/[^A-Za-z0-9]/g, '.')));

    await putTarget(root, 'sts-audit', { type: 'file', path: 'sts-audit.log' });
    r = await admin(['sts', 'revoke', one.AccessKeyId]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /Revoked 1 temporary credential\./);
    assert.equal(await s3Outcome(one), 'AccessDenied');
    // The revocation is an audited IAM change, made by root through the admin API, with the secret redacted.
    const entry = await waitFor('the revocation in the audit log', () => {
      let text = '';
      try {
        text = readFileSync(join(server.root, 'config', 'audit', 'sts-audit.log'), 'utf8');
      } catch {
        return undefined;
      }
      return text.split('\n').filter(Boolean).map((l) => JSON.parse(l) as { kind: string; api?: string; changes?: { entity: string; id: string; after: { status: string; secretKey: string } }[] })
        .find((e) => e.kind === 'change' && e.changes?.some((c) => c.entity === 'sts' && c.id === one.AccessKeyId && c.after.status === 'revoked'));
    });
    assert.equal(entry.api, 'admin');
    assert.equal(entry.changes![0].after.secretKey, '[redacted]');
    assert.ok(!JSON.stringify(entry).includes(one.SecretAccessKey));
    assert.equal(await s3Outcome(two), 'ok');

    r = await admin(['sts', 'revoke', '--user', 'alice']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(await s3Outcome(two), 'AccessDenied');
    assert.equal(await s3Outcome(three), 'AccessDenied');
    r = await admin(['sts', 'revoke']);
    assert.equal(r.code, 2);
    r = await admin(['sts', 'revoke', 'GTNOSUCHKEY000000000']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /NoSuchEntity/);
  });

  it('a disabled parent invalidates its sessions at once; a removed one for good', async () => {
    const c = await assumeRole(alice);
    assert.equal(await s3Outcome(c), 'ok');
    assert.equal((await signedFetch(root, 'POST', '/granary/admin/v1/users/alice/disable')).status, 204);
    assert.equal(await s3Outcome(c), 'AccessDenied');
    assert.equal((await signedFetch(root, 'POST', '/granary/admin/v1/users/alice/enable')).status, 204);
    assert.equal(await s3Outcome(c), 'ok');

    const carol = { endpoint: server.endpoint, accessKey: 'carol', secretKey: 'Hc7!wQ2#nLp9sVz4' };
    assert.equal((await signedFetch(root, 'PUT', '/granary/admin/v1/users/carol', JSON.stringify({ secretKey: carol.secretKey, policies: ['readwrite'] }))).status, 200);
    const cs = await assumeRole(carol);
    assert.equal(await s3Outcome(cs), 'ok');
    assert.equal((await signedFetch(root, 'DELETE', '/granary/admin/v1/users/carol')).status, 204);
    assert.equal(await s3Outcome(cs), 'InvalidAccessKeyId');
    // A new carol does not inherit the old one's sessions.
    assert.equal((await signedFetch(root, 'PUT', '/granary/admin/v1/users/carol', JSON.stringify({ secretKey: carol.secretKey, policies: ['readwrite'] }))).status, 200);
    assert.equal(await s3Outcome(cs), 'InvalidAccessKeyId');
  });

  it('bad input gets STS errors and issues nothing', async () => {
    const before = await sessionCount();
    const expect = async (form: Record<string, string> | string, status: number, code: string, as: Account | null = alice) => {
      const a = await stsPost(server.endpoint, form, as ?? undefined);
      assert.equal(a.status, status, a.text);
      assert.equal(a.code, code, a.text);
      assert.ok(a.xml.ErrorResponse, a.text);
      assert.equal(a.xml.ErrorResponse['@_xmlns'], 'https://sts.amazonaws.com/doc/2011-06-15/');
      return a;
    };
    await expect({ Action: 'AssumeRoleWithSAML' }, 400, 'InvalidAction');
    await expect({ Action: 'GetSessionToken' }, 400, 'InvalidAction');
    await expect('Version=2011-06-15', 400, 'MissingAction');
    await expect('{"Action":"AssumeRole"}', 400, 'MissingAction');
    await expect('Action=AssumeRole&Version=2099-01-01', 400, 'InvalidAction');
    await expect({ Action: 'AssumeRole', DurationSeconds: '0' }, 400, 'ValidationError');
    await expect({ Action: 'AssumeRole', DurationSeconds: '43201' }, 400, 'ValidationError');
    await expect({ Action: 'AssumeRole', DurationSeconds: '99999999999999999999' }, 400, 'ValidationError');
    await expect({ Action: 'AssumeRole', DurationSeconds: '-5' }, 400, 'ValidationError');
    await expect({ Action: 'AssumeRole', DurationSeconds: '1e3' }, 400, 'ValidationError');
    await expect({ Action: 'AssumeRole', Policy: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: ['s3:GetObject'], Resource: ['arn:aws:s3:::x/'.padEnd(2100, 'a')] }] }) }, 400, 'ValidationError');
    await expect({ Action: 'AssumeRole', Policy: '{"Version":"2012-10-17","Statement":[{"Effect":"Maybe"}]}' }, 400, 'MalformedPolicyDocument');
    await expect({ Action: 'AssumeRole', Policy: 'not json' }, 400, 'MalformedPolicyDocument');
    await expect({ Action: 'AssumeRole', RoleSessionName: 'bad name with spaces' }, 400, 'ValidationError');
    // What is not built is refused, never ignored: ignoring would issue broader credentials than asked for.
    await expect({ Action: 'AssumeRole', 'PolicyArns.member.1.arn': 'arn:aws:iam::aws:policy/ReadOnlyAccess' }, 501, 'NotImplemented');
    await expect({ Action: 'AssumeRole', SerialNumber: 'arn:aws:iam::000000000000:mfa/alice', TokenCode: '123456' }, 501, 'NotImplemented');
    // Unsigned, AssumeRole is refused; an unsigned unknown action is refused as unsigned IAM is.
    await expect({ Action: 'AssumeRole' }, 403, 'AccessDenied', null);
    const anon = await stsPost(server.endpoint, { Action: 'CreateUser', UserName: 'x' });
    assert.equal(anon.status, 403);
    assert.equal(await sessionCount(), before);
  });

  it('sessions are kept in granary.db: they survive a restart, and so does a revocation', async () => {
    const kept = await assumeRole(alice);
    const revoked = await assumeRole(alice);
    assert.equal((await signedFetch(root, 'POST', `/granary/admin/v1/temporary-accounts/${revoked.AccessKeyId}/revoke`)).status, 200);
    await server.kill();
    server = await startServer({ root: server.root, args: ['--sts-min-duration', '1', '--auth-throttle', '0'] });
    root = { ...root, endpoint: server.endpoint };
    alice = { ...alice, endpoint: server.endpoint };
    assert.equal(await s3Outcome(kept), 'ok');
    assert.equal(await s3Outcome(revoked), 'AccessDenied');
  });

  it('aws-cli sees the STS errors as AWS gives them', async () => {
    const r = await aws(['sts', 'assume-role', '--role-arn', 'arn:aws:iam::000000000000:role/any', '--role-session-name', 'x1', '--duration-seconds', '50000'], awsEnv({ AccessKeyId: alice.accessKey, SecretAccessKey: alice.secretKey }));
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /ValidationError/);
  });
});
