import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import { SignJWT } from 'jose';
import { AdminClient } from '../../engine/cli/admin-client.js';
import { parsePrometheusText, valueOf, type Family } from '../helpers/prom-text.js';
import { run } from '../helpers/run.js';
import { startServer, type RunningServer } from '../helpers/server.js';
import { signedFetch } from '../helpers/signed-fetch.js';

const METRICS = '/granary/v1/metrics';

function adminAs(s: RunningServer, accessKey = s.accessKey, secretKey = s.secretKey): AdminClient {
  return new AdminClient({ endpoint: new URL(s.endpoint), accessKey, secretKey, region: 'us-east-1' });
}

async function token(client: AdminClient, expiry?: string): Promise<{ token: string; expiration: string; subject: string }> {
  return (await client.call<{ token: string; expiration: string; subject: string }>('POST', 'prometheus-token', { body: expiry === undefined ? {} : { expiry } }))!;
}

async function scrape(s: RunningServer, bearer?: string): Promise<Response> {
  return fetch(`${s.endpoint}${METRICS}`, bearer === undefined ? {} : { headers: { authorization: `Bearer ${bearer}` } });
}

async function scrapeParsed(s: RunningServer, bearer?: string): Promise<Map<string, Family>> {
  const res = await scrape(s, bearer);
  const text = await res.text();
  assert.equal(res.status, 200, text);
  assert.match(res.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4/);
  return parsePrometheusText(text);
}

const s3Count = (f: Map<string, Family>, operation: string, status: number) => valueOf(f, 'granary_requests_total', 'granary_requests_total', { api: 's3', operation, status: String(status) }) ?? 0;

describe('metrics: /granary/v1/metrics with bearer tokens (--metrics-auth jwt, the default)', () => {
  let s: RunningServer;
  let bearer: string;
  before(async () => {
    s = await startServer();
    bearer = (await token(adminAs(s))).token;
  });
  after(async () => s.stop());

  it('reflects a workflow of signed requests exactly, in a valid exposition', async () => {
    const before = await scrapeParsed(s, bearer);
    for (const f of before.keys()) assert.match(f, /^granary_/, `${f} is not prefixed granary_`);
    const body = Buffer.alloc(10_000, 7);
    assert.equal((await signedFetch(s, 'PUT', '/flow')).status, 200);
    const puts = 5;
    for (let i = 0; i < puts; i++) assert.equal((await signedFetch(s, 'PUT', `/flow/obj-${i}`, body)).status, 200);
    for (let i = 0; i < 3; i++) {
      const res = await signedFetch(s, 'GET', `/flow/obj-${i}`);
      assert.equal(res.status, 200);
      assert.equal((await res.arrayBuffer()).byteLength, body.length);
    }
    for (let i = 0; i < 2; i++) assert.equal((await signedFetch(s, 'HEAD', '/flow/missing')).status, 404);
    assert.equal((await (await signedFetch(s, 'GET', '/flow?list-type=2')).text()).includes('<KeyCount>5</KeyCount>'), true);
    // A wrong signature is answered and counted too.
    assert.equal((await signedFetch({ ...s, secretKey: 'not-the-secret-at-all' }, 'GET', '/flow/obj-0')).status, 403);

    const f = await scrapeParsed(s, bearer);
    assert.equal(s3Count(f, 'CreateBucket', 200) - s3Count(before, 'CreateBucket', 200), 1);
    assert.equal(s3Count(f, 'PutObject', 200) - s3Count(before, 'PutObject', 200), puts);
    assert.equal(s3Count(f, 'GetObject', 200) - s3Count(before, 'GetObject', 200), 3);
    assert.equal(s3Count(f, 'GetObject', 403) - s3Count(before, 'GetObject', 403), 1);
    assert.equal(s3Count(f, 'HeadObject', 404) - s3Count(before, 'HeadObject', 404), 2);
    assert.equal(s3Count(f, 'ListObjectsV2', 200) - s3Count(before, 'ListObjectsV2', 200), 1);
    assert.equal(s3Count(f, 'PutObject', 500), 0);
    // Latency: one observation per PutObject.
    assert.equal(valueOf(f, 'granary_request_duration_seconds', 'granary_request_duration_seconds_count', { api: 's3', operation: 'PutObject' }), puts);
    assert.equal(f.get('granary_request_duration_seconds')!.type, 'histogram');
    // Bytes: at least the bodies (the socket also carries the headers).
    const received = valueOf(f, 'granary_bytes_received_total', 'granary_bytes_received_total', { api: 's3', operation: 'PutObject' })!;
    assert.ok(received >= puts * body.length && received < puts * (body.length + 4096), `PutObject received ${received}`);
    const sent = valueOf(f, 'granary_bytes_sent_total', 'granary_bytes_sent_total', { api: 's3', operation: 'GetObject' })!;
    assert.ok(sent >= 3 * body.length, `GetObject sent ${sent}`);
    // Drives, capacity, health.
    assert.equal(valueOf(f, 'granary_drives_online', 'granary_drives_online'), 4);
    assert.equal(valueOf(f, 'granary_drives_offline', 'granary_drives_offline'), 0);
    for (const drive of s.drives) {
      assert.equal(valueOf(f, 'granary_drive_online', 'granary_drive_online', { drive }), 1);
      const total = valueOf(f, 'granary_drive_total_bytes', 'granary_drive_total_bytes', { drive })!;
      const free = valueOf(f, 'granary_drive_free_bytes', 'granary_drive_free_bytes', { drive })!;
      assert.ok(total > 0 && free > 0 && free <= total, `${drive}: free ${free} of ${total}`);
    }
    assert.equal(valueOf(f, 'granary_bitrot_errors_total', 'granary_bitrot_errors_total'), 0);
    assert.equal(f.get('granary_bitrot_errors_total')!.type, 'counter');
    assert.equal(valueOf(f, 'granary_heal_queue_length', 'granary_heal_queue_length'), 0);
    // The process: memory and event-loop lag.
    assert.ok(valueOf(f, 'granary_process_resident_memory_bytes', 'granary_process_resident_memory_bytes')! > 0);
    assert.ok(f.has('granary_nodejs_eventloop_lag_seconds'));
    // Audit families are declared (no target configured: no series).
    assert.equal(f.get('granary_audit_entries_total')?.type, 'counter');
  });

  it('refuses a scrape without a token: 401 and how to get one', async () => {
    const res = await scrape(s);
    assert.equal(res.status, 401);
    assert.match(res.headers.get('www-authenticate') ?? '', /^Bearer/);
    const err = (await res.json()) as { Code: string; Message: string };
    assert.equal(err.Code, 'XGranaryInvalidToken');
    assert.match(err.Message, /granary admin prometheus-token/);
    // Not a bearer scheme, or a SigV4 signature: still no.
    assert.equal((await fetch(`${s.endpoint}${METRICS}`, { headers: { authorization: `Basic ${Buffer.from('a:b').toString('base64')}` } })).status, 401);
    assert.equal((await signedFetch(s, 'GET', METRICS)).status, 401);
  });

  it('refuses forged, tampered, unsigned and expired tokens', async () => {
    const forged = await new SignJWT({ scope: 'metrics' }).setProtectedHeader({ alg: 'HS256' }).setIssuer('granary').setSubject(s.accessKey).setExpirationTime('1h').sign(randomBytes(32));
    const [h, p, sig] = bearer.split('.');
    const claims = JSON.parse(Buffer.from(p, 'base64url').toString()) as Record<string, unknown>;
    const tampered = [h, Buffer.from(JSON.stringify({ ...claims, sub: 'someone-else' })).toString('base64url'), sig].join('.');
    const none = [Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url'), p, ''].join('.');
    for (const [what, t] of [['forged', forged], ['tampered', tampered], ['alg none', none], ['garbage', 'not.a.jwt']] as const) {
      const res = await scrape(s, t);
      assert.equal(res.status, 401, what);
      assert.match(((await res.json()) as { Message: string }).Message, /not valid/, what);
    }
    const short = await token(adminAs(s), new Date(Date.now() + 1500).toISOString());
    assert.equal((await scrape(s, short.token)).status, 200);
    await sleep(Math.max(0, Date.parse(short.expiration) - Date.now()) + 1100);
    const res = await scrape(s, short.token);
    assert.equal(res.status, 401);
    assert.match(((await res.json()) as { Message: string }).Message, /expired/);
  });

  it('gives tokens only to holders of admin:Prometheus, and a token dies with its key\'s right', async () => {
    const root = adminAs(s);
    await root.call('PUT', 'users/prom-reader', { body: { secretKey: 'Zx8#reader-secret-41', policies: ['diagnostics'] } });
    await root.call('PUT', 'users/plain-user', { body: { secretKey: 'Zx8#plainuser-secret-41', policies: ['readonly'] } });
    await assert.rejects(token(adminAs(s, 'plain-user', 'Zx8#plainuser-secret-41')), /AccessDenied|admin:Prometheus/);
    const issued = await token(adminAs(s, 'prom-reader', 'Zx8#reader-secret-41'));
    assert.equal(issued.subject, 'prom-reader');
    assert.equal((await scrape(s, issued.token)).status, 200);
    await root.call('POST', 'policies/diagnostics/detach', { body: { user: 'prom-reader' } });
    const lost = await scrape(s, issued.token);
    assert.equal(lost.status, 403);
    assert.match(((await lost.json()) as { Message: string }).Message, /admin:Prometheus is no longer allowed for prom-reader/);
    await root.call('DELETE', 'users/prom-reader');
    const gone = await scrape(s, issued.token);
    assert.equal(gone.status, 403);
    assert.match(((await gone.json()) as { Message: string }).Message, /no longer exists or is disabled/);
  });

  it('`granary admin prometheus-token` prints a token (and a scrape config) that scrapes', async () => {
    const cli = (args: string[]) => run(process.execPath, ['--import', 'tsx', join(import.meta.dirname, '../../engine/cli/main.ts'), 'admin', '--endpoint', s.endpoint, ...args],
      { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: s.root, GRANARY_ROOT_USER: s.accessKey, GRANARY_ROOT_PASSWORD: s.secretKey }, { timeoutMs: 30_000 });
    const json = await cli(['--json', 'prometheus-token', '--expiry', '30d']);
    const issued = JSON.parse(json.stdout) as { token: string; expiration: string };
    const days = (Date.parse(issued.expiration) - Date.now()) / 86_400_000;
    assert.ok(days > 29.9 && days <= 30, `expires in ${days} days`);
    assert.equal((await scrape(s, issued.token)).status, 200);
    const human = await cli(['prometheus-token']);
    assert.match(human.stdout, /metrics_path: \/granary\/v1\/metrics/);
    const bearerLine = /bearer_token: (\S+)/.exec(human.stdout)![1];
    assert.equal((await scrape(s, bearerLine)).status, 200);
    const bad = await run(process.execPath, ['--import', 'tsx', join(import.meta.dirname, '../../engine/cli/main.ts'), 'admin', '--endpoint', s.endpoint, 'prometheus-token', '--expiry', 'soon'],
      { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: s.root, GRANARY_ROOT_USER: s.accessKey, GRANARY_ROOT_PASSWORD: s.secretKey }, { allowFail: true, timeoutMs: 30_000 });
    assert.equal(bad.code, 2);
  });
});

describe('metrics: --metrics-auth public', () => {
  let s: RunningServer;
  before(async () => {
    s = await startServer({ args: ['--metrics-auth', 'public'] });
  });
  after(async () => s.stop());

  it('serves the exposition without a token', async () => {
    assert.equal((await signedFetch(s, 'PUT', '/open')).status, 200);
    const f = await scrapeParsed(s);
    assert.equal(s3Count(f, 'CreateBucket', 200), 1);
    assert.equal(valueOf(f, 'granary_drives_online', 'granary_drives_online'), 4);
  });

  it('refuses a mode it does not know', async () => {
    await assert.rejects(startServer({ args: ['--metrics-auth', 'none'] }), /--metrics-auth none is neither jwt nor public/);
  });
});
