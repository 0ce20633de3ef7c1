/**
 * `npm run bench -- storage`: PUT and GET through the ObjectLayer on four
 * folder drives, beside a raw write (fsynced) and read of the same bytes on
 * the same disk, alternated run by run so drift hits both. Prints medians and
 * the ratios the storage-engine issue sets as targets.
 */
import { Readable } from 'node:stream';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { open, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ErasureObjectLayer } from '../engine/object/erasure-object-layer.js';
import { layerLarge } from './lib/layer-large.js';

const MiB = 1024 * 1024;
const LARGE = 16 * MiB;
const LARGE_COUNT = 8;
const SMALL = 4096;
const SMALL_SECONDS = 4;
const CONCURRENCY = 32;
const ROUNDS = Number(process.env.ROUNDS ?? 3);

const base = join(process.cwd(), '.tmp');
mkdirSync(base, { recursive: true });
const root = mkdtempSync(join(base, 'bench-storage-'));
const drives = [1, 2, 3, 4].map((i) => join(root, `d${i}`));
const rawDir = join(root, 'raw');
mkdirSync(rawDir);

const payload = randomBytes(LARGE);
const small = randomBytes(SMALL);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * p))];

async function* once(b: Uint8Array, chunk = 256 * 1024) {
  for (let i = 0; i < b.length; i += chunk) yield b.subarray(i, i + chunk);
}

async function rawWrite(): Promise<number> {
  const t = performance.now();
  for (let i = 0; i < LARGE_COUNT; i++) {
    const fh = await open(join(rawDir, `f${i}`), 'w');
    await fh.write(payload);
    await fh.datasync();
    await fh.close();
  }
  return (LARGE * LARGE_COUNT) / MiB / ((performance.now() - t) / 1000);
}

async function rawRead(): Promise<number> {
  const t = performance.now();
  for (let i = 0; i < LARGE_COUNT; i++) await readFile(join(rawDir, `f${i}`));
  return (LARGE * LARGE_COUNT) / MiB / ((performance.now() - t) / 1000);
}

async function rawSmall(): Promise<number> {
  let n = 0;
  const end = performance.now() + SMALL_SECONDS * 1000;
  const dir = join(rawDir, 'small');
  mkdirSync(dir, { recursive: true });
  const worker = async (w: number) => {
    while (performance.now() < end) {
      const fh = await open(join(dir, `s${w}-${n}`), 'w');
      await fh.write(small);
      await fh.datasync();
      await fh.close();
      n++;
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, (_, w) => worker(w)));
  return n / SMALL_SECONDS;
}

async function granarySmall(layer: ErasureObjectLayer, round: number): Promise<{ put: number; get: number; p50: number; p99: number; getP99: number }> {
  const lat: number[] = [];
  let n = 0;
  let end = performance.now() + SMALL_SECONDS * 1000;
  await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
    while (performance.now() < end) {
      const i = n++;
      const t = performance.now();
      await layer.putObject('bench', `small/${round}/${i}`, once(small), { size: SMALL });
      lat.push(performance.now() - t);
    }
  }));
  const put = n / SMALL_SECONDS;
  const written = n;
  const getLat: number[] = [];
  let g = 0;
  end = performance.now() + SMALL_SECONDS * 1000;
  await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
    while (performance.now() < end) {
      const i = g++ % written;
      const t = performance.now();
      const { body } = await layer.getObject('bench', `small/${round}/${i}`);
      if (body instanceof Readable) for await (const _ of body) void _;
      getLat.push(performance.now() - t);
    }
  }));
  return { put, get: g / SMALL_SECONDS, p50: pct(lat, 0.5), p99: pct(lat, 0.99), getP99: pct(getLat, 0.99) };
}

const layer = await ErasureObjectLayer.open({ drives });
await layer.makeBucket('bench');
const { k, m } = layer.sets[0].ctx;
const rows: Record<string, number[]> = {};
const add = (name: string, v: number) => (rows[name] ??= []).push(v);
try {
  for (let r = 0; r < ROUNDS; r++) {
    add('raw write MB/s', await rawWrite());
    const large = await layerLarge(layer, payload, LARGE_COUNT, r);
    add('large PUT MB/s', large.put);
    add('raw read MB/s', await rawRead());
    add('large GET MB/s', large.get);
    add('raw 4 KiB durable files/s', await rawSmall());
    const s = await granarySmall(layer, r);
    add('4 KiB PUT ops/s', s.put);
    add('4 KiB PUT p50 ms', s.p50);
    add('4 KiB PUT p99 ms', s.p99);
    add('4 KiB GET ops/s', s.get);
    add('4 KiB GET p99 ms', s.getP99);
    console.error(`round ${r + 1}/${ROUNDS} done`);
  }
} finally {
  await layer.close();
  rmSync(root, { recursive: true, force: true });
}

const med = (name: string) => median(rows[name]);
console.log(`storage bench: 4 folder drives (${k}+${m}) on one disk, ${ROUNDS} alternating rounds, medians`);
for (const [name, xs] of Object.entries(rows)) console.log(`  ${name.padEnd(28)} ${median(xs).toFixed(1).padStart(10)}   (runs: ${xs.map((x) => x.toFixed(0)).join(', ')})`);
const share = k / (k + m);
console.log('ratios:');
console.log(`  large PUT / (raw write × k/(k+m))   ${(med('large PUT MB/s') / (med('raw write MB/s') * share)).toFixed(2)}   target ≥ 0.80`);
console.log(`  large GET / raw read                ${(med('large GET MB/s') / med('raw read MB/s')).toFixed(2)}   target ≥ 0.90`);
console.log(`  4 KiB PUT / raw durable small file  ${(med('4 KiB PUT ops/s') / med('raw 4 KiB durable files/s')).toFixed(2)}   (target ≥ 3,400 ops/s, p99 < 20 ms)`);
