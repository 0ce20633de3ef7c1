import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { startServer } from '../helpers/server.js';
import { signedFetch, type Account } from '../helpers/signed-fetch.js';
import { auditStats, putTarget, waitFor } from './audit-helpers.js';

type Entry = Record<string, unknown> & { kind: string };

let server: Awaited<ReturnType<typeof startServer>>;
let root: Account;

before(async () => {
  server = await startServer();
  root = { endpoint: server.endpoint, accessKey: server.accessKey, secretKey: server.secretKey };
});
after(async () => server?.stop());

function entries(): Entry[] {
  const file = join(server.root, 'config', 'audit', 'audit.log');
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as Entry);
}

test('a client workflow yields one entry per request and a redacted change entry', async () => {
  await putTarget(root, 'local', { type: 'file', path: 'audit.log' });
  const readerSecret = 'Rd9!xQ2#vL7pWm4z';
  const ids: Record<string, string> = {};
  const call = async (label: string, who: Account, method: string, path: string, body?: string) => {
    const res = await signedFetch(who, method, path, body);
    ids[label] = res.headers.get('x-amz-request-id') ?? '';
    await res.arrayBuffer();
    return res.status;
  };
  assert.equal(await call('createUser', root, 'PUT', '/granary/admin/v1/users/reader', JSON.stringify({ secretKey: readerSecret, policies: ['readonly'] })), 200);
  assert.equal(await call('createBucket', root, 'PUT', '/audited'), 200);
  assert.equal(await call('put', root, 'PUT', '/audited/hello.txt', 'hello, audit'), 200);
  assert.equal(await call('get', root, 'GET', '/audited/hello.txt'), 200);
  const reader = { endpoint: server.endpoint, accessKey: 'reader', secretKey: readerSecret };
  assert.equal(await call('denied', reader, 'PUT', '/audited/nope.txt', 'no'), 403);

  const byId = await waitFor('all request entries in the file', () => {
    const all = entries();
    const map = new Map(all.filter((e) => e.kind === 'request').map((e) => [e.requestId as string, e]));
    return Object.values(ids).every((id) => map.has(id)) ? { all, map } : undefined;
  });
  const req = (label: string) => byId.map.get(ids[label])!;

  const created = req('createUser');
  assert.equal(created.api, 'admin');
  assert.equal(created.operation, 'PUT users/:name');
  assert.equal(created.status, 200);
  assert.equal(created.accessKey, server.accessKey);
  assert.equal(created.identityType, 'root');
  assert.ok((created.bytesIn as number) > 0);
  assert.ok(!JSON.stringify(created).includes(readerSecret), 'the request entry does not carry the secret');

  const bucket = req('createBucket');
  assert.deepEqual([bucket.api, bucket.operation, bucket.bucket, bucket.status], ['s3', 'CreateBucket', 'audited', 200]);

  const put = req('put');
  assert.deepEqual([put.operation, put.bucket, put.object, put.status, put.accessKey], ['PutObject', 'audited', 'hello.txt', 200, server.accessKey]);
  assert.ok((put.bytesIn as number) > 'hello, audit'.length);
  assert.equal(put.errorCode, undefined);
  assert.equal(typeof put.durationMs, 'number');
  assert.equal(put.remoteAddress, '127.0.0.1');
  assert.ok(typeof put.time === 'string' && !Number.isNaN(Date.parse(put.time)));

  const get = req('get');
  assert.deepEqual([get.operation, get.object, get.status], ['GetObject', 'hello.txt', 200]);
  assert.ok((get.bytesOut as number) > 'hello, audit'.length);

  const denied = req('denied');
  assert.deepEqual([denied.operation, denied.bucket, denied.object, denied.status, denied.errorCode, denied.accessKey, denied.identityType], ['PutObject', 'audited', 'nope.txt', 403, 'AccessDenied', 'reader', 'user']);
  const decisions = denied.decisions as { action: string; allowed: boolean; reason: string; policy?: string }[];
  assert.equal(decisions.length, 1);
  assert.equal(decisions[0].action, 's3:PutObject');
  assert.equal(decisions[0].allowed, false);
  assert.ok(decisions[0].reason.length > 0);

  // The user creation: the change entry names the request and who made it, and never the secret.
  const changes = byId.all.filter((e) => e.kind === 'change' && e.requestId === ids.createUser);
  assert.ok(changes.length >= 1, 'a change entry for the user creation');
  const userChange = (changes[0].changes as { entity: string; id: string; before: unknown; after: Record<string, unknown> }[])[0];
  assert.deepEqual([userChange.entity, userChange.id, userChange.before], ['user', 'reader', null]);
  assert.equal(userChange.after.secretKey, '[redacted]');
  assert.equal(userChange.after.status, 'enabled');
  assert.equal(changes[0].accessKey, server.accessKey);
  assert.equal(changes[0].api, 'admin');
  assert.ok(!JSON.stringify(byId.all).includes(readerSecret), 'no entry carries the secret');
  // The policy attachment is a second commit of the same request.
  assert.ok(changes.some((c) => (c.changes as { after: { policies?: string[] } }[])[0].after?.policies?.includes('readonly')));

  // The target's own configuration is a change too (a setting), and the counts are visible to admins.
  const stats = await auditStats(root);
  assert.equal(stats.length, 1);
  assert.equal(stats[0].name, 'local');
  assert.equal(stats[0].type, 'file');
  assert.ok(stats[0].total >= 6);
  assert.equal(stats[0].failed, 0);
  // A user without admin rights may not read them.
  assert.equal((await signedFetch(reader, 'GET', '/granary/v1/audit')).status, 403);
  const listed = await signedFetch(root, 'GET', '/granary/admin/v1/audit/targets');
  assert.equal(listed.status, 200);
  assert.equal(((await listed.json()) as { name: string }[])[0].name, 'local');
});

test('console API calls are audited too (api console), with the session\'s identity', async () => {
  const consoleUrl = /Console: (https?:\/\/\S+)/.exec(server.output())![1];
  const login = await fetch(`${consoleUrl}/api/v1/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ accessKey: server.accessKey, secretKey: server.secretKey }) });
  assert.equal(login.status, 200);
  const cookie = login.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
  const session = await fetch(`${consoleUrl}/api/v1/session`, { headers: { cookie } });
  assert.equal(session.status, 200);
  const sessionId = session.headers.get('request-id') ?? undefined;
  const bad = await fetch(`${consoleUrl}/api/v1/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ accessKey: server.accessKey, secretKey: 'wrong-wrong-wrong' }) });
  assert.equal(bad.status >= 400, true);
  const badCode = ((await bad.json()) as { code: string; requestId: string });
  const found = await waitFor('console entries', () => {
    const all = entries().filter((e) => e.api === 'console' && e.kind === 'request');
    const s = all.find((e) => e.operation === 'GET /api/v1/session' && (sessionId === undefined || e.requestId === sessionId));
    const b = all.find((e) => e.requestId === badCode.requestId);
    return s && b ? { s, b } : undefined;
  });
  assert.equal(found.s.status, 200);
  assert.equal(found.s.accessKey, server.accessKey);
  assert.equal((found.s.claims as { sub: string }).sub, server.accessKey);
  assert.equal(found.b.operation, 'POST /api/v1/login');
  assert.equal(found.b.errorCode, badCode.code);
  // The failed login is a security event as well.
  assert.ok(entries().some((e) => e.kind === 'security' && e.event === 'login failed'));
});
