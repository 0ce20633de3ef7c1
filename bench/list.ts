/**
 * `npm run bench -- list [KEYS]`: ListObjectsV2 over loopback on a bucket of
 * KEYS objects (default 20,000, spread over 100 "folders"), Granary (the
 * server as a process, four folder drives) beside s3rver (which lists by
 * walking its directory tree, as MinIO does) in the same run. Three figures:
 * a full listing in pages of 1,000 (keys/s), the top level with a delimiter
 * (listings/s), and one folder's 200 keys (listings/s). Both are populated
 * and listed with the same light client (fetch + our SigV4 signer).
 */
import { mkdtempSync, rmSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import S3rver from 's3rver';
import { startServer } from '../test/helpers/server.js';
import { signedFetch } from '../test/helpers/signed-fetch.js';

const KEYS = Number(process.argv[2] ?? 20_000);
if (!Number.isInteger(KEYS) || KEYS < 100) {
  console.error('usage: npm run bench -- list [KEYS ≥ 100]');
  process.exit(2);
}
const FOLDERS = 100;
const CONCURRENCY = 16;
const ROUNDS = Number(process.env.ROUNDS ?? 3);
const SECONDS = 3;

interface Target { name: string; endpoint: string; accessKey: string; secretKey: string }

const base = join(process.cwd(), '.tmp');
mkdirSync(base, { recursive: true });
const root = mkdtempSync(join(base, 'bench-list-'));
const granary = await startServer({ root: join(root, 'granary') });
const s3rverDir = join(root, 's3rver');
mkdirSync(s3rverDir);
const peer = new S3rver({ port: 0, address: '127.0.0.1', silent: true, directory: s3rverDir });
const peerAddr = await peer.run();
const targets: Target[] = [
  { name: 'granary', endpoint: granary.endpoint, accessKey: granary.accessKey, secretKey: granary.secretKey },
  { name: 's3rver', endpoint: `http://127.0.0.1:${peerAddr.port}`, accessKey: 'S3RVER', secretKey: 'S3RVER' },
];
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const keyName = (i: number) => `folder-${String(i % FOLDERS).padStart(3, '0')}/object-${String(i).padStart(7, '0')}`;

async function ok(t: Target, method: string, path: string, body?: Buffer): Promise<string> {
  const r = await signedFetch(t, method, path, body);
  const text = await r.text();
  if (r.status !== 200) throw new Error(`${t.name} ${method} ${path}: ${r.status} ${text.slice(0, 200)}`);
  return text;
}

async function populate(t: Target): Promise<void> {
  await ok(t, 'PUT', '/bench');
  let next = 0;
  await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
    for (let i = next++; i < KEYS; i = next++) await ok(t, 'PUT', `/bench/${keyName(i)}`, Buffer.alloc(0));
  }));
}

const count = (xml: string, tag: string) => xml.split(`<${tag}>`).length - 1;

/**
 * Every key, 1,000 a page; returns keys per second and checks the count.
 * ListObjects v1 with the last key as marker: s3rver's v2 continuation
 * tokens use a cipher OpenSSL 3 refuses, so v2 cannot page there.
 */
async function fullListing(t: Target): Promise<number> {
  const start = performance.now();
  let keys = 0;
  let marker = '';
  for (;;) {
    const xml = await ok(t, 'GET', `/bench?max-keys=1000${marker ? `&marker=${encodeURIComponent(marker)}` : ''}`);
    const page = [...xml.matchAll(/<Key>([^<]*)<\/Key>/g)].map((m) => m[1]);
    keys += page.length;
    if (!xml.includes('<IsTruncated>true</IsTruncated>')) break;
    marker = page[page.length - 1];
  }
  if (keys !== KEYS) throw new Error(`${t.name} listed ${keys} keys, expected ${KEYS}`);
  return keys / ((performance.now() - start) / 1000);
}

/** Listings per second of one query, repeated for SECONDS; checks what each answer holds. */
async function repeated(t: Target, query: string, expect: { tag: string; n: number }): Promise<number> {
  const end = performance.now() + SECONDS * 1000;
  let n = 0;
  const start = performance.now();
  while (performance.now() < end) {
    const xml = await ok(t, 'GET', `/bench?${query}`);
    if (count(xml, expect.tag) !== expect.n) throw new Error(`${t.name} ${query}: ${count(xml, expect.tag)} <${expect.tag}>, expected ${expect.n}`);
    n++;
  }
  return n / ((performance.now() - start) / 1000);
}

const rows: Record<string, Record<string, number[]>> = { granary: {}, s3rver: {} };
const add = (t: string, k: string, v: number) => (rows[t][k] ??= []).push(v);
try {
  for (const t of targets) {
    const start = performance.now();
    await populate(t);
    console.error(`${t.name}: ${KEYS} keys written in ${((performance.now() - start) / 1000).toFixed(1)} s`);
  }
  const perFolder = Math.ceil(KEYS / FOLDERS);
  for (let r = 0; r < ROUNDS; r++) {
    for (const t of r % 2 === 0 ? targets : [...targets].reverse()) {
      add(t.name, `full listing (v1), keys/s (pages of 1,000)`, await fullListing(t));
      add(t.name, `top level with delimiter, listings/s`, await repeated(t, 'list-type=2&delimiter=%2F', { tag: 'CommonPrefixes', n: FOLDERS }));
      add(t.name, `one folder (${perFolder} keys), listings/s`, await repeated(t, 'list-type=2&prefix=folder-042%2F', { tag: 'Key', n: perFolder }));
    }
    console.error(`round ${r + 1}/${ROUNDS} done`);
  }
} finally {
  await granary.stop();
  await peer.close();
  rmSync(root, { recursive: true, force: true });
}

console.log(`list bench: ${KEYS} keys in ${FOLDERS} folders, loopback, ${ROUNDS} alternating rounds, medians (Granary: 4 folder drives, 2+2; s3rver: files in a directory tree)`);
console.log(`  ${'figure'.padEnd(40)} ${'granary'.padStart(10)} ${'s3rver'.padStart(10)} ${'ratio'.padStart(7)}`);
for (const k of Object.keys(rows.granary)) {
  const g = median(rows.granary[k]);
  const p = median(rows.s3rver[k]);
  console.log(`  ${k.padEnd(40)} ${g.toFixed(0).padStart(10)} ${p.toFixed(0).padStart(10)} ${(g / p).toFixed(2).padStart(7)}`);
}
