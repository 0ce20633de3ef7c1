import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { after, before, describe, test } from 'node:test';
import type { TrafficCounts, TrafficSummary } from '../../engine/api/console/types.js';
import { signRequest } from '../../engine/s3/auth/signer.js';
import { api, consoleUrlOf, expectError, login, type ConsoleSessionHandle } from './console-client.js';
import { mulberry32 } from '../helpers/prng.js';
import { startServer, type RunningServer } from '../helpers/server.js';
import { signedFetch } from '../helpers/signed-fetch.js';

/**
 * `GET /api/v1/traffic` against a real engine: a scripted set of S3
 * requests is counted exactly (requests, errors, and the bytes the sockets
 * carried, measured on the client's own connection), by class; console
 * calls are not S3 traffic; readers without admin:ServerInfo are refused.
 */
let server: RunningServer & { kill: () => Promise<void> };
let base: string;
let root: ConsoleSessionHandle;
const BUCKET = 'traffic-test';

interface Sent { status: number; body: Buffer; bytesIn: number; bytesOut: number }

/**
 * One SigV4 request on a connection of its own (no keep-alive), so the
 * bytes this client wrote and read are exactly the bytes the engine read
 * and wrote for it (headers included, as the engine counts).
 */
function signedRaw(method: string, path: string, body?: Buffer): Promise<Sent> {
  const url = new URL(`${server.endpoint}${path}`);
  const hash = createHash('sha256').update(body ?? '').digest('hex');
  const headers = signRequest({ method, url, headers: body ? { 'content-length': String(body.length) } : {}, payloadHash: hash, accessKey: server.accessKey, secretKey: server.secretKey, region: 'us-east-1', service: 's3' });
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { method, headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const socket = req.socket!;
        const done = () => resolve({ status: res.statusCode!, body: Buffer.concat(chunks), bytesIn: socket.bytesWritten, bytesOut: socket.bytesRead });
        if (socket.destroyed) done();
        else socket.once('close', done);
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

async function traffic(session = root): Promise<TrafficSummary> {
  const res = await api(base, 'GET', '/traffic', { session });
  assert.equal(res.status, 200, res.text);
  return res.body as TrafficSummary;
}

function minus(a: TrafficCounts, b: TrafficCounts): TrafficCounts {
  return { requests: a.requests - b.requests, errors: a.errors - b.errors, bytesIn: a.bytesIn - b.bytesIn, bytesOut: a.bytesOut - b.bytesOut };
}

function sum(sent: Sent[]): TrafficCounts {
  return {
    requests: sent.length,
    errors: sent.filter((s) => s.status >= 400).length,
    bytesIn: sent.reduce((a, s) => a + s.bytesIn, 0),
    bytesOut: sent.reduce((a, s) => a + s.bytesOut, 0),
  };
}

before(async () => {
  server = await startServer();
  base = await consoleUrlOf(server);
  root = await login(base, server.accessKey, server.secretKey);
});

after(async () => {
  await server?.kill();
});

describe('recent S3 traffic', () => {
  test('counts exactly the scripted S3 requests, by class, and nothing of the console', async () => {
    const before = await traffic();
    assert.equal(before.minutes.length, 60);
    const data = Buffer.alloc(70_000);
    const rand = mulberry32(11);
    for (let i = 0; i < data.length; i++) data[i] = Math.floor(rand() * 256);

    const put: Sent[] = [await signedRaw('PUT', `/${BUCKET}`), await signedRaw('PUT', `/${BUCKET}/a.bin`, data), await signedRaw('PUT', `/${BUCKET}/b.txt`, Buffer.from('hello'))];
    const get: Sent[] = [await signedRaw('GET', `/${BUCKET}/a.bin`), await signedRaw('HEAD', `/${BUCKET}/b.txt`), await signedRaw('GET', `/${BUCKET}/missing`)];
    const list: Sent[] = [await signedRaw('GET', `/${BUCKET}?list-type=2`), await signedRaw('GET', '/')];
    const del: Sent[] = [await signedRaw('DELETE', `/${BUCKET}/b.txt`), await signedRaw('DELETE', `/no-such-bucket-here`)];
    assert.deepEqual([...put, ...get, ...list, ...del].map((s) => s.status), [200, 200, 200, 200, 200, 404, 200, 200, 204, 404]);
    assert.ok(get[0].body.equals(data));
    // Console calls in between are not S3 traffic.
    await api(base, 'GET', '/storage', { session: root });

    const now = await traffic();
    const all = [...put, ...get, ...list, ...del];
    assert.deepEqual(minus(now.total, before.total), sum(all));
    assert.deepEqual(minus(now.totalByClass.PUT, before.totalByClass.PUT), sum(put));
    assert.deepEqual(minus(now.totalByClass.GET, before.totalByClass.GET), sum(get));
    assert.deepEqual(minus(now.totalByClass.LIST, before.totalByClass.LIST), sum(list));
    assert.deepEqual(minus(now.totalByClass.DELETE, before.totalByClass.DELETE), sum(del));
    assert.deepEqual(minus(now.totalByClass.other, before.totalByClass.other), sum([]));
    assert.ok(sum(put).bytesIn > data.length && sum(get).bytesOut > data.length, 'bytes include the bodies');
    // The minutes add up to the totals, oldest first, the current minute last.
    const added = now.minutes.reduce((a, m) => ({ requests: a.requests + m.requests, errors: a.errors + m.errors, bytesIn: a.bytesIn + m.bytesIn, bytesOut: a.bytesOut + m.bytesOut }), { requests: 0, errors: 0, bytesIn: 0, bytesOut: 0 });
    assert.deepEqual(added, now.total);
    assert.ok(now.minutes.every((m, i) => i === 0 || Date.parse(m.start) - Date.parse(now.minutes[i - 1].start) === 60_000));
    assert.ok(Date.parse(now.minutes[59].start) <= Date.parse(now.measuredAt));

    // A signed fetch (keep-alive) counts as one more request of its class.
    const res = await signedFetch(server, 'GET', `/${BUCKET}/a.bin`);
    assert.equal(res.status, 200);
    await res.arrayBuffer();
    const later = await traffic();
    assert.equal(later.totalByClass.GET.requests - now.totalByClass.GET.requests, 1);
    assert.ok(later.totalByClass.GET.bytesOut - now.totalByClass.GET.bytesOut > data.length);
  });

  test('is refused without a session and without admin:ServerInfo', async () => {
    expectError(await api(base, 'GET', '/traffic'), 401, 'SessionExpired');
    const made = await api(base, 'POST', '/users', { session: root, body: { name: 'viewer', secretKey: 'Vw8#pLq3!zRt6Yx', policies: ['readonly'] } });
    assert.equal(made.status, 201, made.text);
    const viewer = await login(base, 'viewer', 'Vw8#pLq3!zRt6Yx');
    expectError(await api(base, 'GET', '/traffic', { session: viewer }), 403, 'AccessDenied');
  });
});
