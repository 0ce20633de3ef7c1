/**
 * `npm run bench -- s3`: the S3 API over loopback, Granary (the server as a
 * process, four folder drives, every acknowledged write fsynced) beside
 * s3rver (no durability, no signature checks) started in the same run.
 * Large objects go through @aws-sdk/client-s3 and through a lighter signed
 * client (an undici connection pool + our SigV4 signer); small ones through
 * the lighter client only, because the SDK itself tops out near 2,000
 * requests/s on this machine and fetch() costs the client about twice
 * undici's CPU, which on two cores is the server's. The SDK hashes each
 * 16 MiB body for its signature before sending it, serially with the
 * server's work; the light client signs the same payload hash, computed once
 * outside the timing, so its figures show the server's own rate.
 * The same 16 MiB PUTs and GETs also run in this process against an
 * ObjectLayer on four drives of its own (what `npm run bench -- storage`
 * measures), so the HTTP figures sit beside the engine's without HTTP; and
 * against a bare fastify process that stores nothing (bench/lib/bare-http-peer),
 * the most this client gets over loopback on this machine.
 * Prints medians and ratios.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { CreateBucketCommand, GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import S3rver from 's3rver';
import { Pool } from 'undici';
import { ErasureObjectLayer } from '../engine/object/erasure-object-layer.js';
import { signRequest } from '../engine/s3/auth/signer.js';
import { startServer } from '../test/helpers/server.js';
import { startBarePeer } from './lib/bare-http-peer.js';
import { layerLarge } from './lib/layer-large.js';

const MiB = 1024 * 1024;
const LARGE = 16 * MiB;
const LARGE_COUNT = 6;
const SMALL = 4096;
const SECONDS = 4;
const CONCURRENCY = 16;
const ROUNDS = Number(process.env.ROUNDS ?? 3);

interface Target { name: string; endpoint: string; accessKey: string; secretKey: string }

const base = join(process.cwd(), '.tmp');
mkdirSync(base, { recursive: true });
const root = mkdtempSync(join(base, 'bench-s3-'));
const granary = await startServer({ root: join(root, 'granary') });
const s3rverDir = join(root, 's3rver');
mkdirSync(s3rverDir);
const peer = new S3rver({ port: 0, address: '127.0.0.1', silent: true, directory: s3rverDir });
const peerAddr = await peer.run();
const targets: Target[] = [
  { name: 'granary', endpoint: granary.endpoint, accessKey: granary.accessKey, secretKey: granary.secretKey },
  { name: 's3rver', endpoint: `http://127.0.0.1:${peerAddr.port}`, accessKey: 'S3RVER', secretKey: 'S3RVER' },
];

const bare = await startBarePeer();
const bareTarget: Target = { name: 'bare', endpoint: bare.endpoint, accessKey: 'BARE', secretKey: 'BARE' };

const layer = await ErasureObjectLayer.open({ drives: [1, 2, 3, 4].map((i) => join(root, 'layer', `d${i}`)), parity: 2 });
await layer.makeBucket('bench');

const payload = randomBytes(LARGE);
const small = randomBytes(SMALL);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

function sdk(t: Target): S3Client {
  return new S3Client({ endpoint: t.endpoint, region: 'us-east-1', forcePathStyle: true, credentials: { accessKeyId: t.accessKey, secretAccessKey: t.secretKey } });
}

async function large(t: Target, round: number): Promise<{ put: number; get: number }> {
  const c = sdk(t);
  let start = performance.now();
  for (let i = 0; i < LARGE_COUNT; i++) await c.send(new PutObjectCommand({ Bucket: 'bench', Key: `large/${round}/${i}`, Body: payload }));
  const put = (LARGE_COUNT * LARGE) / MiB / ((performance.now() - start) / 1000);
  start = performance.now();
  for (let i = 0; i < LARGE_COUNT; i++) {
    const r = await c.send(new GetObjectCommand({ Bucket: 'bench', Key: `large/${round}/${i}` }));
    for await (const _ of r.Body as AsyncIterable<Uint8Array>) void _;
  }
  const get = (LARGE_COUNT * LARGE) / MiB / ((performance.now() - start) / 1000);
  c.destroy();
  return { put, get };
}

const smallHash = createHash('sha256').update(small).digest('hex');
const emptyHash = createHash('sha256').update('').digest('hex');

const payloadHash = createHash('sha256').update(payload).digest('hex');

async function call(t: Target, pool: Pool, method: 'GET' | 'PUT', key: string, body?: Buffer, bodyHash = smallHash): Promise<void> {
  const path = `/bench/${key}`;
  const headers = signRequest({
    method,
    url: new URL(`${t.endpoint}${path}`),
    headers: body ? { 'content-length': String(body.length) } : {},
    payloadHash: body ? bodyHash : emptyHash,
    accessKey: t.accessKey,
    secretKey: t.secretKey,
    region: 'us-east-1',
    service: 's3',
  });
  const r = await pool.request({ method, path, headers, ...(body ? { body } : {}) });
  for await (const _ of r.body) void _;
  if (r.statusCode !== 200) throw new Error(`${t.name} ${method} ${key}: ${r.statusCode}`);
}

/** `large` through the light client: one connection, one request at a time, as the SDK runs here. */
async function largeLight(t: Target, round: number): Promise<{ put: number; get: number }> {
  const pool = new Pool(t.endpoint, { connections: 1 });
  try {
    let start = performance.now();
    for (let i = 0; i < LARGE_COUNT; i++) await call(t, pool, 'PUT', `light/${round}/${i}`, payload, payloadHash);
    const put = (LARGE_COUNT * LARGE) / MiB / ((performance.now() - start) / 1000);
    start = performance.now();
    for (let i = 0; i < LARGE_COUNT; i++) await call(t, pool, 'GET', `light/${round}/${i}`);
    const get = (LARGE_COUNT * LARGE) / MiB / ((performance.now() - start) / 1000);
    return { put, get };
  } finally {
    await pool.close();
  }
}

async function smallOps(t: Target, round: number): Promise<{ put: number; get: number }> {
  const pool = new Pool(t.endpoint, { connections: CONCURRENCY });
  try {
    return await smallRuns(t, pool, round);
  } finally {
    await pool.close();
  }
}

async function smallRuns(t: Target, pool: Pool, round: number): Promise<{ put: number; get: number }> {
  let n = 0;
  let end = performance.now() + SECONDS * 1000;
  await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
    while (performance.now() < end) await call(t, pool, 'PUT', `small/${round}/${n++}`, small);
  }));
  const written = n;
  let g = 0;
  end = performance.now() + SECONDS * 1000;
  await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
    while (performance.now() < end) await call(t, pool, 'GET', `small/${round}/${g++ % written}`);
  }));
  return { put: written / SECONDS, get: g / SECONDS };
}

const rows: Record<string, Record<string, number[]>> = { granary: {}, s3rver: {}, layer: {}, bare: {} };
const add = (t: string, k: string, v: number) => (rows[t][k] ??= []).push(v);
try {
  for (const t of targets) await sdk(t).send(new CreateBucketCommand({ Bucket: 'bench' }));
  for (let r = 0; r < ROUNDS; r++) {
    for (const t of r % 2 === 0 ? targets : [...targets].reverse()) {
      const l = await large(t, r);
      add(t.name, '16 MiB PUT MB/s (SDK)', l.put);
      add(t.name, '16 MiB GET MB/s (SDK)', l.get);
      const ll = await largeLight(t, r);
      add(t.name, '16 MiB PUT MB/s (undici+SigV4)', ll.put);
      add(t.name, '16 MiB GET MB/s (undici+SigV4)', ll.get);
      const s = await smallOps(t, r);
      add(t.name, '4 KiB PUT ops/s (undici+SigV4, 16 in flight)', s.put);
      add(t.name, '4 KiB GET ops/s (undici+SigV4, 16 in flight)', s.get);
    }
    const l = await layerLarge(layer, payload, LARGE_COUNT, r);
    add('layer', '16 MiB PUT MB/s', l.put);
    add('layer', '16 MiB GET MB/s', l.get);
    const b = await large(bareTarget, r);
    add('bare', '16 MiB PUT MB/s (SDK)', b.put);
    add('bare', '16 MiB GET MB/s (SDK)', b.get);
    const bl = await largeLight(bareTarget, r);
    add('bare', '16 MiB PUT MB/s (undici+SigV4)', bl.put);
    add('bare', '16 MiB GET MB/s (undici+SigV4)', bl.get);
    console.error(`round ${r + 1}/${ROUNDS} done`);
  }
} finally {
  await granary.stop();
  await peer.close();
  await bare.stop();
  await layer.close();
  rmSync(root, { recursive: true, force: true });
}

/** One table: Granary's figure for each of `other`'s, the other's, and their ratio. `granaryKey` maps the other's figure name to Granary's. */
function table(title: string, heads: [string, string], other: Record<string, number[]>, granaryKey = (k: string) => k): void {
  console.log(title);
  console.log(`  ${'figure'.padEnd(46)} ${heads[0].padStart(10)} ${heads[1].padStart(10)} ${'ratio'.padStart(7)}`);
  for (const k of Object.keys(other)) {
    const g = median(rows.granary[granaryKey(k)]);
    const o = median(other[k]);
    console.log(`  ${k.padEnd(46)} ${g.toFixed(0).padStart(10)} ${o.toFixed(0).padStart(10)} ${(g / o).toFixed(2).padStart(7)}`);
  }
}
table(`s3 bench: loopback, ${ROUNDS} alternating rounds, medians (Granary: 4 folder drives, 2+2, fsynced; s3rver: no fsync, no auth)`, ['granary', 's3rver'], rows.s3rver);
for (const client of ['SDK', 'undici+SigV4']) {
  table(`  Granary over HTTP (${client}) beside an ObjectLayer in this process (4 drives, 2+2, no HTTP); target ≥ 0.85`, ['HTTP', 'layer'], rows.layer, (k) => `${k} (${client})`);
}
table('  Granary over HTTP beside bare fastify that stores nothing (the loopback ceiling for each client here)', ['granary', 'bare'], rows.bare);
console.log('  The most any server reaches over HTTP here, as a share of the ObjectLayer: bare fastify ÷ layer');
for (const k of Object.keys(rows.bare)) {
  const layerKey = k.replace(/ \(.*\)$/, '');
  console.log(`  ${k.padEnd(46)} ${(median(rows.bare[k]) / median(rows.layer[layerKey])).toFixed(2).padStart(7)}`);
}
