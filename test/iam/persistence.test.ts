import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import Database from 'better-sqlite3';
import { signRequest } from '../../engine/s3/auth/signer.js';
import { ROOT_PASSWORD, startServer } from '../helpers/server.js';
import { signedFetch, type Account } from '../helpers/signed-fetch.js';

/**
 * IAM survives what a desktop machine goes through: restarts, a hand-edited
 * database, a lost config directory; and a guessing client is slowed down
 * without locking out anyone else.
 */
async function admin(a: Account, method: string, path: string, body?: unknown): Promise<Response> {
  return signedFetch(a, method, `/granary/admin/v1/${path}`, body === undefined ? undefined : JSON.stringify(body));
}

const account = (s: { endpoint: string; accessKey: string; secretKey: string }): Account => ({ endpoint: s.endpoint, accessKey: s.accessKey, secretKey: s.secretKey });

async function seed(root: Account): Promise<{ accessKey: string; secretKey: string }> {
  assert.equal((await signedFetch(root, 'PUT', '/docs')).status, 200);
  assert.equal((await signedFetch(root, 'PUT', '/docs/a.txt', 'alpha')).status, 200);
  assert.equal((await admin(root, 'PUT', 'users/gina', { secretKey: 'Gina-secret-8e2d4b', policies: ['readonly'] })).status, 200);
  const sa = await admin(root, 'PUT', 'service-accounts', { parent: 'gina', name: 'sync' });
  assert.equal(sa.status, 200);
  return (await sa.json()) as { accessKey: string; secretKey: string };
}

async function canRead(a: Account): Promise<number> {
  return (await signedFetch(a, 'GET', '/docs/a.txt')).status;
}

test('users and keys survive a restart; nothing secret is stored in plaintext', { timeout: 120_000 }, async () => {
  const first = await startServer();
  try {
    const key = await seed(account(first));
    await first.kill();
    const configDir = join(first.root, 'config');
    const db = readFileSync(join(configDir, 'granary.db'));
    const wal = existsSync(join(configDir, 'granary.db-wal')) ? readFileSync(join(configDir, 'granary.db-wal')) : Buffer.alloc(0);
    for (const secret of ['Gina-secret-8e2d4b', key.secretKey]) {
      assert.ok(!db.includes(secret) && !wal.includes(secret), `${secret} must not be on disk in plaintext`);
    }
    for (const f of ['granary.db', 'master.key']) assert.equal(statSync(join(configDir, f)).mode & 0o777, 0o600, `${f} is 0600`);
    const second = await startServer({ root: first.root });
    try {
      assert.equal(await canRead({ ...account(second), accessKey: 'gina', secretKey: 'Gina-secret-8e2d4b' }), 200);
      assert.equal(await canRead({ ...account(second), ...key }), 200);
    } finally {
      await second.kill();
    }
  } finally {
    await first.kill();
    rmSync(first.root, { recursive: true, force: true });
  }
});

test('a hand-edited IAM database is detected at start and restored from the drives', { timeout: 120_000 }, async () => {
  const first = await startServer();
  try {
    await seed(account(first));
    await first.kill();
    // Grant gina full rights behind Granary's back.
    const dbFile = join(first.root, 'config', 'granary.db');
    const db = new Database(dbFile);
    const row = db.prepare("SELECT body FROM entities WHERE kind = 'user' AND id = 'gina'").get() as { body: string };
    const body = JSON.parse(row.body);
    body.policies = ['consoleAdmin'];
    db.prepare("UPDATE entities SET body = ? WHERE kind = 'user' AND id = 'gina'").run(JSON.stringify(body));
    db.close();

    const second = await startServer({ root: first.root });
    try {
      assert.match(second.output(), /fails its integrity check/);
      assert.match(second.output(), /restoring from the snapshot on the drives/);
      const gina = { ...account(second), accessKey: 'gina', secretKey: 'Gina-secret-8e2d4b' };
      assert.equal(await canRead(gina), 200);
      assert.equal((await signedFetch(gina, 'PUT', '/docs/b.txt', 'x')).status, 403, 'the forged grant is gone');
      assert.ok(readdirSync(join(first.root, 'config')).some((f) => f.startsWith('granary.db.tampered-')), 'the tampered file is kept aside');
    } finally {
      await second.kill();
    }

    // A deleted row (a removed Deny, say) is caught as well.
    const db2 = new Database(dbFile);
    db2.prepare("DELETE FROM entities WHERE kind = 'user' AND id = 'gina'").run();
    db2.close();
    const third = await startServer({ root: first.root });
    try {
      assert.match(third.output(), /set of IAM rows fails its integrity check/);
      assert.equal(await canRead({ ...account(third), accessKey: 'gina', secretKey: 'Gina-secret-8e2d4b' }), 200);
    } finally {
      await third.kill();
    }
  } finally {
    await first.kill();
    rmSync(first.root, { recursive: true, force: true });
  }
});

test('with the config directory lost, the drives plus the root password restore every user and key', { timeout: 120_000 }, async () => {
  const first = await startServer();
  try {
    const key = await seed(account(first));
    assert.equal((await admin(account(first), 'PUT', 'policies/docs-only', { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::docs/*' }] })).status, 204);
    assert.equal((await admin(account(first), 'PUT', 'groups/readers', { members: ['gina'] })).status, 200);
    await first.kill();
    rmSync(join(first.root, 'config'), { recursive: true, force: true });

    // Without the root password the drives cannot be opened: a clear refusal, nothing generated.
    const noRoot = startServer({ root: first.root, env: { GRANARY_ROOT_USER: undefined, GRANARY_ROOT_PASSWORD: undefined } });
    await assert.rejects(noRoot, /these drives hold users and keys of an existing deployment/);
    assert.ok(!existsSync(join(first.root, 'config', 'root-credentials.json')), 'no new root credentials were generated');
    const wrong = startServer({ root: first.root, env: { GRANARY_ROOT_PASSWORD: 'Another-root-pass-42x' } });
    await assert.rejects(wrong, /sealed under another root password/);

    const second = await startServer({ root: first.root });
    try {
      assert.match(second.output(), /IAM: restored \d+ entries from the drives/);
      assert.equal(await canRead({ ...account(second), accessKey: 'gina', secretKey: 'Gina-secret-8e2d4b' }), 200);
      assert.equal(await canRead({ ...account(second), ...key }), 200);
      const policies = (await (await admin(account(second), 'GET', 'policies')).json()) as { name: string }[];
      assert.ok(policies.some((p) => p.name === 'docs-only'));
      const group = (await (await admin(account(second), 'GET', 'groups/readers')).json()) as { members: string[] };
      assert.deepEqual(group.members, ['gina']);
      assert.ok(existsSync(join(first.root, 'config', 'master.key')));
    } finally {
      await second.kill();
    }
  } finally {
    await first.kill();
    rmSync(first.root, { recursive: true, force: true });
  }
});

/** A signed GET from a chosen loopback address (Linux routes all of 127/8 to lo). */
function getFrom(localAddress: string, endpoint: string, path: string, accessKey: string, secretKey: string): Promise<{ status: number; body: string }> {
  const url = new URL(`${endpoint}${path}`);
  const headers = signRequest({ method: 'GET', url, headers: {}, payloadHash: createHash('sha256').update('').digest('hex'), accessKey, secretKey, region: 'us-east-1', service: 's3' });
  return new Promise((resolve, reject) => {
    const req = request({ host: url.hostname, port: url.port, path: url.pathname + url.search, method: 'GET', headers, localAddress, agent: false }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

test('repeated bad signatures throttle that key and address; a good key from elsewhere is unaffected', { timeout: 120_000 }, async () => {
  const s = await startServer();
  try {
    await seed(account(s));
    for (let i = 0; i < 6; i++) {
      const r = await getFrom('127.0.0.1', s.endpoint, '/docs/a.txt', 'gina', 'wrong-secret-guess');
      assert.ok([403, 503].includes(r.status), `guess ${i}: ${r.status}`);
    }
    // The right secret from the same place is now slowed down too: the key is throttled.
    const throttled = await getFrom('127.0.0.1', s.endpoint, '/docs/a.txt', 'gina', 'Gina-secret-8e2d4b');
    assert.equal(throttled.status, 503);
    assert.match(throttled.body, /<Code>SlowDown<\/Code>/);
    // Even from another address the guessed key stays throttled…
    assert.equal((await getFrom('127.0.0.2', s.endpoint, '/docs/a.txt', 'gina', 'Gina-secret-8e2d4b')).status, 503);
    // …but another key from another address works.
    const other = await getFrom('127.0.0.2', s.endpoint, '/docs/a.txt', s.accessKey, ROOT_PASSWORD);
    assert.equal(other.status, 200);
    assert.equal(other.body, 'alpha');
    // The event is kept for the console (asked from another address: this one is held back too).
    const events = await getFrom('127.0.0.2', s.endpoint, '/granary/admin/v1/security/events', s.accessKey, ROOT_PASSWORD);
    assert.equal(events.status, 200, events.body);
    assert.ok(events.body.includes('"accessKey":"gina"'));
    assert.match(s.output(), /audit: authentication throttled/);
  } finally {
    await s.stop();
  }
});

test('root secret rotation: the new secret works at once and after a restart, the old one never again', { timeout: 120_000 }, async () => {
  const first = await startServer({ env: { GRANARY_ROOT_USER: undefined, GRANARY_ROOT_PASSWORD: undefined } });
  try {
    // The generated credentials are printed just after the endpoint line startServer waits for.
    for (let i = 0; i < 100 && !/secret key: \S+/.test(first.output()); i++) await new Promise((r) => setTimeout(r, 50));
    const accessKey = /access key: (\S+)/.exec(first.output())![1];
    const oldSecret = /secret key: (\S+)/.exec(first.output())![1];
    const before = { endpoint: first.endpoint, accessKey, secretKey: oldSecret };
    assert.equal((await signedFetch(before, 'PUT', '/keep')).status, 200);
    const rotated = await admin(before, 'POST', 'root/rotate');
    assert.equal(rotated.status, 200);
    const { secretKey } = (await rotated.json()) as { secretKey: string };
    assert.notEqual(secretKey, oldSecret);
    const after = { ...before, secretKey };
    assert.equal((await signedFetch(after, 'HEAD', '/keep')).status, 200);
    assert.equal(await (await signedFetch(before, 'HEAD', '/keep')).status, 403);
    await first.kill();
    const second = await startServer({ root: first.root, env: { GRANARY_ROOT_USER: undefined, GRANARY_ROOT_PASSWORD: undefined } });
    try {
      assert.equal((await signedFetch({ ...after, endpoint: second.endpoint }, 'HEAD', '/keep')).status, 200);
      assert.equal((await signedFetch({ ...before, endpoint: second.endpoint }, 'HEAD', '/keep')).status, 403);
    } finally {
      await second.kill();
    }
    // With the config directory lost, the rotated secret (not the old one) opens the drives' copy of IAM.
    rmSync(join(first.root, 'config'), { recursive: true, force: true });
    await assert.rejects(startServer({ root: first.root, env: { GRANARY_ROOT_USER: accessKey, GRANARY_ROOT_PASSWORD: oldSecret } }), /another root password/);
    const third = await startServer({ root: first.root, env: { GRANARY_ROOT_USER: accessKey, GRANARY_ROOT_PASSWORD: secretKey } });
    await third.kill();
  } finally {
    await first.kill();
    rmSync(first.root, { recursive: true, force: true });
  }
});

test('a root secret from the environment cannot be rotated through the API', { timeout: 120_000 }, async () => {
  const s = await startServer();
  try {
    const res = await admin(account(s), 'POST', 'root/rotate');
    assert.equal(res.status, 400);
    assert.match(((await res.json()) as { Message: string }).Message, /GRANARY_ROOT_PASSWORD/);
  } finally {
    await s.stop();
  }
});

test('the admin API answers only from allowed networks', { timeout: 120_000 }, async () => {
  const root = mkdtempSync(join(tmpdir(), 'granary-adm-'));
  const s = await startServer({ root, args: ['--admin-allow', '127.0.0.1/32'] });
  try {
    const url = new URL(`${s.endpoint}/granary/admin/v1/users`);
    const ask = (localAddress: string) =>
      new Promise<{ status: number; body: string }>((resolve, reject) => {
        const headers = signRequest({ method: 'GET', url, headers: {}, payloadHash: createHash('sha256').update('').digest('hex'), accessKey: s.accessKey, secretKey: s.secretKey, region: 'us-east-1', service: 's3' });
        const req = request({ host: url.hostname, port: url.port, path: url.pathname, headers, localAddress, agent: false }, (res) => {
          let body = '';
          res.on('data', (d: Buffer) => (body += d.toString()));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
        });
        req.on('error', reject);
        req.end();
      });
    const refused = await ask('127.0.0.2');
    assert.equal(refused.status, 403);
    assert.equal(JSON.parse(refused.body).Code, 'AccessDenied');
    assert.match(JSON.parse(refused.body).Message, /127\.0\.0\.2/);
    assert.match(s.output(), /"refused":"network"/, 'the refusal is audited');
    assert.equal((await ask('127.0.0.1')).status, 200);
    // S3 itself still answers from anywhere.
    assert.equal((await getFrom('127.0.0.2', s.endpoint, '/', s.accessKey, s.secretKey)).status, 200);
  } finally {
    await s.stop();
  }
});
