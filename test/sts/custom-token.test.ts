import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { GetObjectCommand, PutObjectCommand, S3Client, S3ServiceException } from '@aws-sdk/client-s3';
import { startServer, type RunningServer } from '../helpers/server.js';
import { signedFetch, type Account } from '../helpers/signed-fetch.js';
import { startPluginServer, type PluginServer } from '../helpers/plugin-server.js';
import { stsPost, type StsCredentials } from './unsigned-sts-client.js';

/** AssumeRoleWithCustomToken with the identity plugin as a real webhook: allow, deny, timeout. */
const ROLE = 'arn:granary:iam:::role/identity-plugin';
let hook: PluginServer;
let server: RunningServer;
let root: Account;

function s3(c: StsCredentials): S3Client {
  return new S3Client({ endpoint: server.endpoint, region: 'us-east-1', forcePathStyle: true, credentials: { accessKeyId: c.accessKeyId, secretAccessKey: c.secretAccessKey, sessionToken: c.sessionToken }, maxAttempts: 1 });
}

const assume = (token: string, extra: Record<string, string> = {}) => stsPost(server.endpoint, { Action: 'AssumeRoleWithCustomToken', Token: token, RoleArn: ROLE, ...extra });

before(async () => {
  hook = await startPluginServer('/verify', (c) => {
    const token = new URL(c.url, 'http://x').searchParams.get('token');
    return token === 'badge-1234' ? { json: { user: 'kiosk-7', maxValiditySeconds: 1800, claims: { site: 'lab' } } } : { status: 403, json: { reason: 'badge revoked' } };
  });
  server = await startServer({ args: ['--identity-plugin-url', hook.url, '--identity-plugin-role-policy', 'readonly', '--identity-plugin-timeout', '800ms'], env: { GRANARY_IDENTITY_PLUGIN_TOKEN: 'hook-secret-9' } });
  root = { endpoint: server.endpoint, accessKey: server.accessKey, secretKey: server.secretKey };
  assert.equal((await signedFetch(root, 'PUT', '/kiosk')).status, 200);
  assert.equal((await signedFetch(root, 'PUT', '/kiosk/menu.txt', 'soup')).status, 200);
});

after(async () => {
  await server?.stop();
  await hook?.close();
});

describe('AssumeRoleWithCustomToken', () => {
  test('a token the plugin accepts gets credentials with the role\'s policy, no longer than the plugin allows', async () => {
    const r = await assume('badge-1234', { DurationSeconds: '7200' });
    assert.equal(r.status, 200, r.body);
    assert.match(r.body, /<AssumedUser>kiosk-7<\/AssumedUser>/);
    const lifetime = Date.parse(r.credentials!.expiration) - Date.now();
    assert.ok(lifetime <= 1800_000 + 5000, `credentials live ${lifetime} ms, more than the plugin's 1800 s`);
    assert.equal(hook.calls.at(-1)!.headers.authorization, 'Bearer hook-secret-9');
    const got = await s3(r.credentials!).send(new GetObjectCommand({ Bucket: 'kiosk', Key: 'menu.txt' }));
    assert.equal(await got.Body!.transformToString(), 'soup');
    await assert.rejects(s3(r.credentials!).send(new PutObjectCommand({ Bucket: 'kiosk', Key: 'x', Body: 'no' })), (e: unknown) => e instanceof S3ServiceException && e.name === 'AccessDenied');
  });

  test('a token the plugin refuses is AccessDenied, with its reason', async () => {
    const r = await assume('stolen-badge');
    assert.equal(r.status, 403);
    assert.equal(r.code, 'AccessDenied');
    assert.match(r.body, /badge revoked/);
  });

  test('a plugin that does not answer in time refuses the login', async () => {
    hook.answer(() => ({ hang: true }));
    const r = await assume('badge-1234');
    assert.notEqual(r.status, 200);
    assert.equal(r.code, 'IDPCommunicationError');
    assert.equal(r.credentials, undefined);
  });

  test('a wrong RoleArn or a missing token is refused before the plugin is asked', async () => {
    const calls = hook.calls.length;
    assert.equal((await assume('badge-1234', { RoleArn: 'arn:granary:iam:::role/other' })).code, 'InvalidParameterValue');
    assert.equal((await stsPost(server.endpoint, { Action: 'AssumeRoleWithCustomToken', RoleArn: ROLE })).code, 'MissingParameter');
    assert.equal(hook.calls.length, calls);
  });
});
