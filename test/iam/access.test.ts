import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { clientEnv, startServer, type RunningServer } from '../helpers/server.js';
import { run } from '../helpers/run.js';
import { signedFetch, type Account } from '../helpers/signed-fetch.js';

/**
 * Access control end to end: identities made through the admin API, then
 * real clients (aws-cli, curl, signed fetch) doing what their policies allow
 * and being refused what they do not.
 */
let server: RunningServer & { kill: () => Promise<void> };
let root: Account;

async function admin(method: string, path: string, body?: unknown, as: Account = root): Promise<Response> {
  return signedFetch(as, method, `/granary/admin/v1/${path}`, body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body));
}

async function adminOk(method: string, path: string, body?: unknown): Promise<unknown> {
  const res = await admin(method, path, body);
  const text = await res.text();
  assert.ok(res.ok, `${method} ${path} → ${res.status} ${text}`);
  return text ? JSON.parse(text) : undefined;
}

async function code(res: Response): Promise<string> {
  const text = await res.text();
  return /<Code>([^<]+)<\/Code>/.exec(text)?.[1] ?? `${res.status}`;
}

const as = (accessKey: string, secretKey: string): Account => ({ endpoint: server.endpoint, accessKey, secretKey });

before(async () => {
  server = await startServer();
  root = { endpoint: server.endpoint, accessKey: server.accessKey, secretKey: server.secretKey };
  for (const b of ['shared', 'public-site', 'homes']) assert.equal((await signedFetch(root, 'PUT', `/${b}`)).status, 200);
  assert.equal((await signedFetch(root, 'PUT', '/shared/report.txt', 'quarterly numbers')).status, 200);
  assert.equal((await signedFetch(root, 'PUT', '/public-site/index.html', '<h1>hello</h1>')).status, 200);
});

after(async () => {
  await server?.stop();
});

describe('identities and policies', () => {
  test('a readonly user reads with aws-cli but cannot write or delete', async () => {
    await adminOk('PUT', 'users/reader', { secretKey: 'Reader-secret-9f2c1e', policies: ['readonly'] });
    const env = clientEnv(server, { AWS_ACCESS_KEY_ID: 'reader', AWS_SECRET_ACCESS_KEY: 'Reader-secret-9f2c1e' });
    const got = await run('/usr/bin/aws', ['--endpoint-url', server.endpoint, 's3', 'cp', 's3://shared/report.txt', '-'], env);
    assert.equal(got.stdout, 'quarterly numbers');
    const put = await run('/usr/bin/aws', ['--endpoint-url', server.endpoint, 's3api', 'put-object', '--bucket', 'shared', '--key', 'x.txt', '--body', '/etc/hostname'], env, { allowFail: true });
    assert.notEqual(put.code, 0);
    assert.match(put.stderr, /AccessDenied/);
    const del = await run('/usr/bin/aws', ['--endpoint-url', server.endpoint, 's3api', 'delete-object', '--bucket', 'shared', '--key', 'report.txt'], env, { allowFail: true });
    assert.match(del.stderr, /AccessDenied/);
    assert.equal((await signedFetch(root, 'GET', '/shared/report.txt')).status, 200, 'the object is still there');
    assert.equal((await signedFetch(root, 'HEAD', '/shared/x.txt')).status, 404, 'nothing was written');
  });

  test('a prefix-scoped policy (home/${aws:username}/*) confines a user to their prefix', async () => {
    const policy = {
      Version: '2012-10-17',
      Statement: [
        { Effect: 'Allow', Action: ['s3:ListBucket'], Resource: ['arn:aws:s3:::homes'], Condition: { StringLike: { 's3:prefix': ['home/${aws:username}/*', 'home/${aws:username}/'] } } },
        { Effect: 'Allow', Action: ['s3:GetObject', 's3:PutObject', 's3:DeleteObject'], Resource: ['arn:aws:s3:::homes/home/${aws:username}/*'] },
      ],
    };
    assert.equal((await admin('PUT', 'policies/home-dirs', policy)).status, 204);
    for (const u of ['alice', 'bob']) {
      await adminOk('PUT', `users/${u}`, { secretKey: `${u}-Secret-7d3f2a9b` });
      assert.equal((await admin('POST', 'policies/home-dirs/attach', { user: u })).status, 204);
    }
    const alice = as('alice', 'alice-Secret-7d3f2a9b');
    assert.equal((await signedFetch(alice, 'PUT', '/homes/home/alice/notes.txt', 'mine')).status, 200);
    assert.equal(await code(await signedFetch(alice, 'PUT', '/homes/home/bob/notes.txt', 'not mine')), 'AccessDenied');
    assert.equal((await signedFetch(alice, 'GET', '/homes?list-type=2&prefix=home/alice/')).status, 200);
    assert.equal(await code(await signedFetch(alice, 'GET', '/homes?list-type=2&prefix=home/bob/')), 'AccessDenied');
    assert.equal(await code(await signedFetch(alice, 'GET', '/homes?list-type=2')), 'AccessDenied');
    const bob = as('bob', 'bob-Secret-7d3f2a9b');
    assert.equal(await code(await signedFetch(bob, 'GET', '/homes/home/alice/notes.txt')), 'AccessDenied');
    assert.equal(await code(await signedFetch(alice, 'GET', '/shared/report.txt')), 'AccessDenied', 'nothing outside the policy');
  });

  test('a bucket policy grants anonymous GET to curl, and nothing more', async () => {
    const policy = { Version: '2012-10-17', Statement: [{ Sid: 'PublicRead', Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: 'arn:aws:s3:::public-site/*' }] };
    assert.equal(await code(await fetch(`${server.endpoint}/public-site/index.html`)), 'AccessDenied', 'anonymous before the policy');
    assert.equal((await signedFetch(root, 'PUT', '/public-site?policy', JSON.stringify(policy))).status, 204);
    const env = { PATH: '/usr/bin:/bin' };
    const got = await run('curl', ['-s', '-w', '\n%{http_code}', `${server.endpoint}/public-site/index.html`], env);
    assert.equal(got.stdout, '<h1>hello</h1>\n200');
    const put = await run('curl', ['-s', '-o', '/dev/null', '-w', '%{http_code}', '-X', 'PUT', '--data-binary', 'defaced', `${server.endpoint}/public-site/index.html`], env);
    assert.equal(put.stdout, '403');
    const list = await run('curl', ['-s', '-o', '/dev/null', '-w', '%{http_code}', `${server.endpoint}/public-site`], env);
    assert.equal(list.stdout, '403');
    const other = await run('curl', ['-s', '-o', '/dev/null', '-w', '%{http_code}', `${server.endpoint}/shared/report.txt`], env);
    assert.equal(other.stdout, '403');
    const stored = await signedFetch(root, 'GET', '/public-site?policy');
    assert.deepEqual(JSON.parse(await stored.text()).Statement[0].Sid, 'PublicRead');
    const status = await (await signedFetch(root, 'GET', '/public-site?policyStatus')).text();
    assert.match(status, /<IsPublic>TRUE<\/IsPublic>/);
    assert.equal((await signedFetch(root, 'DELETE', '/public-site?policy')).status, 204);
    assert.equal(await code(await fetch(`${server.endpoint}/public-site/index.html`)), 'AccessDenied', 'anonymous again refused');
    assert.equal(await code(await signedFetch(root, 'GET', '/public-site?policy')), 'NoSuchBucketPolicy');
  });

  test('a malformed bucket policy is refused with a message naming the problem, and changes nothing', async () => {
    const bad = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: '*', Action: 's3:GetObjekt', Resource: 'arn:aws:s3:::public-site/*' }] };
    const res = await signedFetch(root, 'PUT', '/public-site?policy', JSON.stringify(bad));
    const text = await res.text();
    assert.equal(res.status, 400);
    assert.match(text, /<Code>MalformedPolicy<\/Code>/);
    assert.match(text, /s3:GetObjekt/);
    const outside = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: 'arn:aws:s3:::shared/*' }] };
    assert.equal(await code(await signedFetch(root, 'PUT', '/public-site?policy', JSON.stringify(outside))), 'MalformedPolicy');
    assert.equal(await code(await signedFetch(root, 'PUT', '/public-site?policy', '{"Version": ')), 'MalformedPolicy');
    assert.equal(await code(await signedFetch(root, 'GET', '/public-site?policy')), 'NoSuchBucketPolicy');
  });

  test('a service account cannot exceed its inline policy, nor its parent', async () => {
    await adminOk('PUT', 'users/carol', { secretKey: 'Carol-secret-1b9e7c', policies: ['readwrite'] });
    const inline = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: ['s3:GetObject'], Resource: ['arn:aws:s3:::shared/*'] }] };
    const sa = (await adminOk('PUT', 'service-accounts', { parent: 'carol', policy: inline, name: 'backup-reader' })) as { accessKey: string; secretKey: string };
    const key = as(sa.accessKey, sa.secretKey);
    assert.equal((await signedFetch(key, 'GET', '/shared/report.txt')).status, 200);
    assert.equal(await code(await signedFetch(key, 'PUT', '/shared/sa.txt', 'x')), 'AccessDenied', 'carol may write, the key may not');
    assert.equal(await code(await signedFetch(key, 'GET', '/homes?list-type=2')), 'AccessDenied');
    // The parent loses rights → so does the key, even where the inline policy allows.
    assert.equal((await admin('POST', 'policies/readwrite/detach', { user: 'carol' })).status, 204);
    assert.equal(await code(await signedFetch(key, 'GET', '/shared/report.txt')), 'AccessDenied');
    // The parent is disabled → the key is refused outright.
    await admin('POST', 'policies/readwrite/attach', { user: 'carol' });
    assert.equal((await signedFetch(key, 'GET', '/shared/report.txt')).status, 200);
    assert.equal((await admin('POST', 'users/carol/disable')).status, 204);
    assert.equal(await code(await signedFetch(key, 'GET', '/shared/report.txt')), 'InvalidAccessKeyId');
  });

  test('a disabled user and an expired key are refused; enabling brings the user back', async () => {
    await adminOk('PUT', 'users/dave', { secretKey: 'Dave-secret-4c8d2f', policies: ['readonly'] });
    const dave = as('dave', 'Dave-secret-4c8d2f');
    assert.equal((await signedFetch(dave, 'GET', '/shared/report.txt')).status, 200);
    assert.equal((await admin('POST', 'users/dave/disable')).status, 204);
    assert.equal(await code(await signedFetch(dave, 'GET', '/shared/report.txt')), 'InvalidAccessKeyId');
    assert.equal((await admin('POST', 'users/dave/enable')).status, 204);
    assert.equal((await signedFetch(dave, 'GET', '/shared/report.txt')).status, 200);

    const expiry = new Date(Date.now() + 1500).toISOString();
    const sa = (await adminOk('PUT', 'service-accounts', { parent: 'dave', expiry })) as { accessKey: string; secretKey: string };
    const key = as(sa.accessKey, sa.secretKey);
    assert.equal((await signedFetch(key, 'GET', '/shared/report.txt')).status, 200);
    await new Promise((r) => setTimeout(r, 1700));
    assert.equal(await code(await signedFetch(key, 'GET', '/shared/report.txt')), 'InvalidAccessKeyId');
  });

  test('groups: members get the group policy; a disabled group grants nothing', async () => {
    await adminOk('PUT', 'users/erin', { secretKey: 'Erin-secret-6a1f3e' });
    const erin = as('erin', 'Erin-secret-6a1f3e');
    assert.equal(await code(await signedFetch(erin, 'GET', '/shared/report.txt')), 'AccessDenied');
    await adminOk('PUT', 'groups/auditors', { members: ['erin'] });
    assert.equal((await admin('POST', 'policies/readonly/attach', { group: 'auditors' })).status, 204);
    assert.equal((await signedFetch(erin, 'GET', '/shared/report.txt')).status, 200);
    assert.equal((await admin('POST', 'groups/auditors/disable')).status, 204);
    assert.equal(await code(await signedFetch(erin, 'GET', '/shared/report.txt')), 'AccessDenied');
    assert.equal((await admin('POST', 'groups/auditors/enable')).status, 204);
    assert.equal((await signedFetch(erin, 'GET', '/shared/report.txt')).status, 200);
  });

  test('an explicit Deny in any policy wins over every Allow', async () => {
    await adminOk('PUT', 'users/frank', { secretKey: 'Frank-secret-2e7b9d', policies: ['readwrite'] });
    const deny = { Version: '2012-10-17', Statement: [{ Effect: 'Deny', Action: 's3:DeleteObject', Resource: 'arn:aws:s3:::shared/*' }] };
    assert.equal((await admin('PUT', 'policies/no-delete-shared', deny)).status, 204);
    await admin('POST', 'policies/no-delete-shared/attach', { user: 'frank' });
    const frank = as('frank', 'Frank-secret-2e7b9d');
    assert.equal((await signedFetch(frank, 'PUT', '/shared/frank.txt', 'f')).status, 200);
    assert.equal(await code(await signedFetch(frank, 'DELETE', '/shared/frank.txt')), 'AccessDenied');
    assert.equal((await signedFetch(frank, 'HEAD', '/shared/frank.txt')).status, 200);
  });

  test('the admin API refuses non-admin users and weak secrets, and never shows secrets', async () => {
    const reader = as('reader', 'Reader-secret-9f2c1e');
    const res = await admin('GET', 'users', undefined, reader);
    assert.equal(res.status, 403);
    assert.equal(((await res.json()) as { Code: string }).Code, 'AccessDenied');
    const weak = await admin('PUT', 'users/weakling', { secretKey: 'password1234' });
    assert.equal(weak.status, 400);
    assert.equal(((await weak.json()) as { Code: string }).Code, 'PasswordPolicyViolation');
    const list = JSON.stringify(await adminOk('GET', 'users'));
    assert.ok(!list.includes('Reader-secret-9f2c1e'), 'secrets are not listed');
    const own = await admin('GET', 'users/reader', undefined, reader);
    assert.equal(own.status, 200, 'a user may read their own account');
  });
});
