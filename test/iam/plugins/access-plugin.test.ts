import assert from 'node:assert/strict';
import { waitFor } from '../../audit/audit-helpers.js';
import { after, before, describe, test } from 'node:test';
import { GetObjectCommand, ListBucketsCommand, PutObjectCommand, S3Client, S3ServiceException } from '@aws-sdk/client-s3';
import { startServer, type RunningServer } from '../../helpers/server.js';
import { signedFetch, type Account } from '../../helpers/signed-fetch.js';
import { startPluginServer, type PluginServer } from '../../helpers/plugin-server.js';
import { parsePrometheusText } from '../../helpers/prom-text.js';
import { parseAccessPluginFlags } from '../../../engine/cli/plugin-flags.js';
import { UsageError } from '../../../engine/cli/args.js';

/**
 * OPA and the access-management plugin as real HTTP servers: the engine asks
 * them about every signed request, and a real S3 client sees the outcome.
 */
const ALICE = { accessKey: 'alice', secretKey: 'Alice-plugin-secret-42' };

function client(s: RunningServer, who: { accessKey: string; secretKey: string }): S3Client {
  return new S3Client({ endpoint: s.endpoint, region: 'us-east-1', forcePathStyle: true, credentials: { accessKeyId: who.accessKey, secretAccessKey: who.secretKey }, maxAttempts: 1 });
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

async function adminOk(root: Account, method: string, path: string, body?: unknown): Promise<void> {
  const res = await signedFetch(root, method, `/granary/admin/v1/${path}`, body === undefined ? undefined : JSON.stringify(body));
  assert.ok(res.ok, `${method} ${path} → ${res.status} ${await res.text()}`);
}

async function metric(s: RunningServer, name: string, labels: Record<string, string>): Promise<number> {
  const res = await fetch(`${s.endpoint}/granary/v1/metrics`);
  assert.equal(res.status, 200);
  const family = parsePrometheusText(await res.text()).get(name);
  const sample = family?.samples.find((x) => Object.entries(labels).every(([k, v]) => x.labels[k] === v));
  return sample?.value ?? 0;
}

const inputs = (p: PluginServer) => p.calls.map((c) => (c.body as { input: Record<string, unknown> }).input);

describe('OPA (--policy-plugin-url): decides for every identity but root', () => {
  let plugin: PluginServer;
  let server: RunningServer;
  let root: Account;
  before(async () => {
    plugin = await startPluginServer('/v1/data/granary/authz/allow');
    server = await startServer({ args: ['--policy-plugin-url', plugin.url, '--policy-plugin-timeout', '700ms', '--metrics-auth', 'public'], env: { GRANARY_POLICY_PLUGIN_TOKEN: 'opa-bearer-7' } });
    root = { endpoint: server.endpoint, accessKey: server.accessKey, secretKey: server.secretKey };
    assert.equal((await signedFetch(root, 'PUT', '/plugged')).status, 200);
    // alice has no policy at all: only the plugin can let her in.
    await adminOk(root, 'PUT', 'users/alice', { secretKey: ALICE.secretKey });
    await adminOk(root, 'PUT', 'groups/staff', { members: ['alice'] });
  });
  after(async () => {
    await server?.stop();
    await plugin?.close();
  });

  test('an allowing answer lets a user with no policy write and read, and the plugin gets the request described', async () => {
    plugin.answer(() => ({ json: { result: true } }));
    plugin.calls.length = 0;
    const s3 = client(server, ALICE);
    await s3.send(new PutObjectCommand({ Bucket: 'plugged', Key: 'docs/a.txt', Body: 'hello' }));
    const got = await s3.send(new GetObjectCommand({ Bucket: 'plugged', Key: 'docs/a.txt' }));
    assert.equal(await got.Body!.transformToString(), 'hello');
    const put = inputs(plugin).find((i) => i.action === 's3:PutObject')!;
    assert.ok(put, 'the plugin was asked about the PUT');
    assert.equal(put.account, 'alice');
    assert.deepEqual(put.groups, ['staff']);
    assert.equal(put.bucket, 'plugged');
    assert.equal(put.object, 'docs/a.txt');
    assert.equal(put.owner, false);
    assert.deepEqual((put.conditions as Record<string, string[]>)['aws:sourceip'], ['127.0.0.1']);
    assert.equal(plugin.calls[0].headers.authorization, 'Bearer opa-bearer-7');
  });

  test('the {"result":{"allow":…}} answer shape is understood', async () => {
    const get = () => client(server, ALICE).send(new GetObjectCommand({ Bucket: 'plugged', Key: 'docs/a.txt' }));
    plugin.answer(() => ({ json: { result: { allow: true } } }));
    assert.equal(await (await get()).Body!.transformToString(), 'hello');
    plugin.answer(() => ({ json: { result: { allow: false } } }));
    assert.equal(await s3Error(get()), 'AccessDenied');
  });

  test('a denying answer refuses the user; root keeps its rights and is not asked about', async () => {
    plugin.answer((c) => ({ json: { result: (c.body as { input: { action: string } }).input.action === 's3:GetObject' } }));
    const s3 = client(server, ALICE);
    assert.equal(await s3Error(s3.send(new PutObjectCommand({ Bucket: 'plugged', Key: 'docs/b.txt', Body: 'no' }))), 'AccessDenied');
    const got = await s3.send(new GetObjectCommand({ Bucket: 'plugged', Key: 'docs/a.txt' }));
    assert.equal(await got.Body!.transformToString(), 'hello', 'what the plugin allows still works');
    plugin.answer(() => ({ json: { result: false } }));
    plugin.calls.length = 0;
    await client(server, server).send(new PutObjectCommand({ Bucket: 'plugged', Key: 'root.txt', Body: 'mine' }));
    assert.equal(plugin.calls.length, 0, 'root is never sent to OPA');
    assert.equal((await signedFetch(root, 'HEAD', '/plugged/docs/b.txt')).status, 404, 'the refused PUT wrote nothing');
  });

  test('a plugin that does not answer in time fails closed: denied, counted, audited', async () => {
    const before = await metric(server, 'granary_access_plugin_failures_total', { mode: 'opa', reason: 'timeout' });
    plugin.answer(() => ({ hang: true }));
    assert.equal(await s3Error(client(server, ALICE).send(new GetObjectCommand({ Bucket: 'plugged', Key: 'docs/a.txt' }))), 'AccessDenied');
    assert.equal(await metric(server, 'granary_access_plugin_failures_total', { mode: 'opa', reason: 'timeout' }), before + 1);
    await waitFor('the audited plugin failure', () => (/audit: access plugin failed \{[^\n]*"reason":"timeout"[^\n]*"account":"alice"/.test(server.output()) ? true : undefined));
  });

  test('malformed answers (not JSON, a non-boolean result, an error status) fail closed', async () => {
    const s3 = client(server, ALICE);
    const cases: [ReturnType<Parameters<PluginServer['answer']>[0]>, string][] = [
      [{ text: 'yes please' }, 'malformed'],
      [{ json: { result: 'true' } }, 'malformed'],
      [{ json: { allow: true } }, 'malformed'],
      [{ json: { result: true }, status: 500 }, 'status'],
    ];
    for (const [reply, reason] of cases) {
      const before = await metric(server, 'granary_access_plugin_failures_total', { mode: 'opa', reason });
      plugin.answer(() => reply);
      assert.equal(await s3Error(s3.send(new GetObjectCommand({ Bucket: 'plugged', Key: 'docs/a.txt' }))), 'AccessDenied', JSON.stringify(reply));
      assert.equal(await metric(server, 'granary_access_plugin_failures_total', { mode: 'opa', reason }), before + 1, JSON.stringify(reply));
    }
    assert.ok((await metric(server, 'granary_access_plugin_decisions_total', { mode: 'opa', result: 'allow' })) >= 2);
  });
});

describe('access-management plugin (--access-plugin-url): overrides internal IAM, root included', () => {
  let plugin: PluginServer;
  let server: RunningServer;
  before(async () => {
    plugin = await startPluginServer('/authorize');
    server = await startServer({ args: ['--access-plugin-url', plugin.url] });
  });
  after(async () => {
    await server?.stop();
    await plugin?.close();
  });

  test('root is asked about too, and refused when the plugin says no', async () => {
    const s3 = client(server, server);
    assert.equal((await signedFetch(server, 'PUT', '/owned')).status, 200);
    await s3.send(new PutObjectCommand({ Bucket: 'owned', Key: 'k', Body: 'v' }));
    const asked = inputs(plugin).find((i) => i.action === 's3:PutObject')!;
    assert.equal(asked.owner, true);
    assert.equal(asked.account, server.accessKey);
    plugin.answer(() => ({ json: { result: false } }));
    assert.equal(await s3Error(s3.send(new GetObjectCommand({ Bucket: 'owned', Key: 'k' }))), 'AccessDenied');
    assert.deepEqual((await s3.send(new ListBucketsCommand({}))).Buckets ?? [], [], 'a refused root lists no bucket');
    // The admin API is decided by the plugin too: an overriding plugin is trusted with everything.
    assert.equal((await signedFetch(server, 'GET', '/granary/admin/v1/users')).status, 403);
  });

  test('a plugin that is down fails closed', async () => {
    await plugin.close();
    assert.equal(await s3Error(client(server, server).send(new GetObjectCommand({ Bucket: 'owned', Key: 'k' }))), 'AccessDenied');
    await waitFor('the audited plugin failure', () => (/audit: access plugin failed \{[^\n]*"reason":"network"/.test(server.output()) ? true : undefined));
  });
});

describe('plugin flags', () => {
  const flags = (o: Record<string, string>) => new Map(Object.entries(o));
  test('OPA and the override plugin exclude each other; bad URLs and orphan options are refused', () => {
    assert.throws(() => parseAccessPluginFlags(flags({ 'policy-plugin-url': 'http://a/', 'access-plugin-url': 'http://b/' }), {}), UsageError);
    assert.throws(() => parseAccessPluginFlags(flags({ 'policy-plugin-url': 'ftp://a/' }), {}), UsageError);
    assert.throws(() => parseAccessPluginFlags(flags({ 'policy-plugin-url': 'not a url' }), {}), UsageError);
    assert.throws(() => parseAccessPluginFlags(flags({ 'policy-plugin-timeout': '2s' }), {}), UsageError);
    assert.throws(() => parseAccessPluginFlags(flags({ 'access-plugin-url': 'http://a/', 'access-plugin-timeout': 'soon' }), {}), UsageError);
    assert.throws(() => parseAccessPluginFlags(flags({ 'access-plugin-url': 'http://a/', 'access-plugin-ca': '/etc/hostname' }), {}), UsageError);
    const c = parseAccessPluginFlags(flags({ 'access-plugin-url': 'https://a/x', 'access-plugin-timeout': '1s500ms' }), { GRANARY_ACCESS_PLUGIN_TOKEN: 't' })!;
    assert.equal(c.mode, 'override');
    assert.equal(c.timeoutMs, 1500);
    assert.equal(c.token, 't');
  });

  test('the server refuses to start with a bad plugin flag', async () => {
    await assert.rejects(startServer({ args: ['--policy-plugin-url', 'gopher://x/'] }), /only http and https/);
  });
});
