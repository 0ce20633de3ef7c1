/**
 * Per-block bitrot hash micro-benchmark.
 *
 *   node --import tsx bench/hash.ts [--runs=5] [--min-ms=500] [--warm-ms=300]
 *                                   [--sizes=1,4,64,128,256,512] [--pool-mib=8]
 *                                   [--only=REGEX]
 *
 * Every candidate hashes whole shard blocks, one call per block, on the main
 * thread (one core).  Blocks are distinct slices of a random pool of
 * `--pool-mib` MiB that is walked round-robin, so each call sees "recently
 * touched" data, much like a block that was just read from disk or just
 * produced by the erasure encoder.
 *
 * For every block size each candidate is warmed up once, then measured in
 * `--runs` interleaved rounds (candidate order is the inner loop, so a noisy
 * second hits all candidates alike) of at least `--min-ms` each (of both CPU
 * and wall time).  The tables show the median over rounds.  GB/s means 10^9
 * bytes per second.
 *
 * The primary metric is process CPU time (user + system, via
 * process.cpuUsage()), i.e. the cost on one core, because on a shared/noisy
 * machine wall time mostly measures how often we were descheduled.  A
 * wall-clock throughput table is printed at the end for reference.
 *
 * "Per-call overhead" is estimated as
 *     ns/call at 1 KiB  -  1024 B / (median throughput at the largest size)
 * i.e. the time a 1 KiB call costs beyond streaming its bytes.
 *
 * The baseline row `memcpy (Buffer#copy)` copies each block into a reused
 * destination buffer of the same size; its GB/s counts bytes copied (each
 * byte is read once and written once), so a hash at "1.00x memcpy" moves
 * through data as fast as a plain copy of it.
 */
import * as nodeCrypto from 'node:crypto';
import { randomFillSync } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { createRequire } from 'node:module';
import {
  blake3,
  createBLAKE3,
  createXXHash128,
  createXXHash3,
  createXXHash64,
  xxhash128,
  xxhash3,
  xxhash64,
} from 'hash-wasm';

// ---------------------------------------------------------------------------
// CLI options

function opt(name: string, dflt: string): string {
  const prefix = `--${name}=`;
  const hit = process.argv.slice(2).find((a) => a.startsWith(prefix));
  return hit === undefined ? dflt : hit.slice(prefix.length);
}

const RUNS = Math.max(1, Number(opt('runs', '5')));
const MIN_NS = Number(opt('min-ms', '500')) * 1e6;
const WARM_NS = Number(opt('warm-ms', '300')) * 1e6;
const SIZES_KIB = opt('sizes', '1,4,64,128,256,512')
  .split(',')
  .map((s) => Number(s.trim()))
  .filter((n) => Number.isFinite(n) && n > 0);
const POOL_BYTES = Math.round(Number(opt('pool-mib', '8')) * 1024 * 1024);
const ONLY = opt('only', '');
const onlyRe = ONLY === '' ? null : new RegExp(ONLY, 'i');

// ---------------------------------------------------------------------------
// Candidates

type SyncFn = (block: Buffer) => unknown;
type AsyncFn = (block: Buffer) => Promise<unknown>;

interface Candidate {
  name: string;
  /** digest length in bytes (0 for the baseline) */
  digestBytes: number;
  /** true when the per-block call is synchronous */
  sync: boolean;
  /** for sync candidates */
  fn?: SyncFn;
  /** for async (Promise-returning) candidates */
  afn?: AsyncFn;
  /** per-size setup (e.g. the memcpy destination buffer) */
  prepare?: (size: number) => void;
  baseline?: boolean;
}

// Prevents the JIT from discarding results.
let sink = 0;
function touch(r: unknown): void {
  if (typeof r === 'string') sink ^= r.charCodeAt(0);
  else if (r instanceof Uint8Array) sink ^= r[0] ?? 0;
  else if (typeof r === 'number') sink ^= r;
}

async function buildCandidates(): Promise<Candidate[]> {
  const list: Candidate[] = [];
  const hashes = new Set(nodeCrypto.getHashes());

  // Baseline: memory bandwidth.
  let dst = Buffer.alloc(0);
  list.push({
    name: 'memcpy (Buffer#copy) [baseline]',
    digestBytes: 0,
    sync: true,
    baseline: true,
    prepare: (size) => {
      dst = Buffer.alloc(size);
    },
    fn: (b) => b.copy(dst),
  });

  // node:crypto (OpenSSL).
  list.push({
    name: 'node:crypto sha256 createHash()',
    digestBytes: 32,
    sync: true,
    fn: (b) => nodeCrypto.createHash('sha256').update(b).digest(),
  });
  const oneShot = (nodeCrypto as { hash?: unknown }).hash;
  if (typeof oneShot === 'function') {
    // crypto.hash(): Node >= 20.12 / 21.7, skips the Hash object.
    const h = oneShot as (alg: string, data: Uint8Array, enc: 'buffer') => Buffer;
    list.push({
      name: 'node:crypto sha256 crypto.hash()',
      digestBytes: 32,
      sync: true,
      fn: (b) => h('sha256', b, 'buffer'),
    });
  }
  for (const [alg, len] of [
    ['blake2b512', 64],
    ['blake2s256', 32],
  ] as const) {
    if (hashes.has(alg)) {
      list.push({
        name: `node:crypto ${alg} createHash()`,
        digestBytes: len,
        sync: true,
        fn: (b) => nodeCrypto.createHash(alg).update(b).digest(),
      });
    } else {
      console.log(`# node:crypto ${alg}: not available in this build`);
    }
  }

  // hash-wasm: one-shot (async, hex string) and reusable (sync, binary).
  const x128 = await createXXHash128();
  const x3 = await createXXHash3();
  const x64 = await createXXHash64();
  const b3 = await createBLAKE3();

  list.push(
    { name: 'hash-wasm xxhash128() one-shot', digestBytes: 16, sync: false, afn: (b) => xxhash128(b) },
    {
      name: 'hash-wasm createXXHash128() reused',
      digestBytes: 16,
      sync: true,
      fn: (b) => x128.init().update(b).digest('binary'),
    },
    { name: 'hash-wasm xxhash3() one-shot (64-bit)', digestBytes: 8, sync: false, afn: (b) => xxhash3(b) },
    {
      name: 'hash-wasm createXXHash3() reused',
      digestBytes: 8,
      sync: true,
      fn: (b) => x3.init().update(b).digest('binary'),
    },
    { name: 'hash-wasm xxhash64() one-shot', digestBytes: 8, sync: false, afn: (b) => xxhash64(b) },
    {
      name: 'hash-wasm createXXHash64() reused',
      digestBytes: 8,
      sync: true,
      fn: (b) => x64.init().update(b).digest('binary'),
    },
    { name: 'hash-wasm blake3() one-shot', digestBytes: 32, sync: false, afn: (b) => blake3(b) },
    {
      name: 'hash-wasm createBLAKE3() reused',
      digestBytes: 32,
      sync: true,
      fn: (b) => b3.init().update(b).digest('binary'),
    },
  );

  return list.filter((c) => c.baseline === true || onlyRe === null || onlyRe.test(c.name));
}

// ---------------------------------------------------------------------------
// Sanity checks: known vectors, and reused hasher == one-shot.

async function selfCheck(): Promise<void> {
  const hex = (u: Uint8Array): string => Buffer.from(u).toString('hex');
  const empty = new Uint8Array(0);
  const expect = (what: string, got: string, want: string): void => {
    if (got !== want) throw new Error(`self-check ${what}: got ${got}, want ${want}`);
  };
  expect('xxh128("")', await xxhash128(empty), '99aa06d3014798d86001c324468d497f');
  expect('xxh3("")', await xxhash3(empty), '2d06800538d394c2');
  expect('xxh64("")', await xxhash64(empty), 'ef46db3751d8e999');
  expect('blake3("")', await blake3(empty), 'af1349b9f5f9a1a6a0404dea36dcc9499bcb25c9adc112b7cc9a93cae41f3262');

  const x128 = await createXXHash128();
  const b3 = await createBLAKE3();
  for (const n of [0, 1, 1000, 16384, 16385, 131072, 524288 + 7]) {
    const d = Buffer.alloc(n);
    randomFillSync(d);
    expect(`xxh128 reused vs one-shot (${n} B)`, hex(x128.init().update(d).digest('binary')), await xxhash128(d));
    expect(`blake3 reused vs one-shot (${n} B)`, hex(b3.init().update(d).digest('binary')), await blake3(d));
  }
}

// ---------------------------------------------------------------------------
// Timing

const now = (): bigint => process.hrtime.bigint();
/** CPU time (user + system) of this process, in ns. */
const cpuNow = (): number => {
  const u = process.cpuUsage();
  return (u.user + u.system) * 1e3;
};

interface Sample {
  calls: number;
  /** wall-clock ns */
  wallNs: number;
  /** process CPU ns (user + system) */
  cpuNs: number;
}

// A run lasts until both its CPU time and its wall time reach minNs, so a run
// that is descheduled by other load on the machine still does a full minNs of
// work.  CPU time is the primary metric: it is what one core spends per
// block, and it is far less disturbed by other processes than wall time.
function runSync(fn: SyncFn, blocks: Buffer[], batch: number, minNs: number): Sample {
  const n = blocks.length;
  let i = 0;
  let calls = 0;
  const t0 = now();
  const c0 = cpuNow();
  let wall = 0;
  let cpu = 0;
  do {
    for (let k = 0; k < batch; k++) {
      touch(fn(blocks[i]!));
      if (++i === n) i = 0;
    }
    calls += batch;
    wall = Number(now() - t0);
    cpu = cpuNow() - c0;
  } while (cpu < minNs || wall < minNs);
  return { calls, wallNs: wall, cpuNs: cpu };
}

async function runAsync(fn: AsyncFn, blocks: Buffer[], batch: number, minNs: number): Promise<Sample> {
  const n = blocks.length;
  let i = 0;
  let calls = 0;
  const t0 = now();
  const c0 = cpuNow();
  let wall = 0;
  let cpu = 0;
  do {
    for (let k = 0; k < batch; k++) {
      touch(await fn(blocks[i]!));
      if (++i === n) i = 0;
    }
    calls += batch;
    wall = Number(now() - t0);
    cpu = cpuNow() - c0;
  } while (cpu < minNs || wall < minNs);
  return { calls, wallNs: wall, cpuNs: cpu };
}

function measure(c: Candidate, blocks: Buffer[], batch: number, minNs: number): Promise<Sample> | Sample {
  return c.sync ? runSync(c.fn!, blocks, batch, minNs) : runAsync(c.afn!, blocks, batch, minNs);
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

// ---------------------------------------------------------------------------
// Formatting

function fmtSize(kib: number): string {
  return kib >= 1024 ? `${kib / 1024} MiB` : `${kib} KiB`;
}
function fmtNs(ns: number): string {
  if (ns >= 1e6) return `${(ns / 1e6).toFixed(2)} ms`;
  if (ns >= 1e4) return `${(ns / 1e3).toFixed(1)} µs`;
  if (ns >= 1e3) return `${(ns / 1e3).toFixed(2)} µs`;
  return `${ns.toFixed(0)} ns`;
}
function table(header: string[], rows: string[][]): string {
  const w = header.map((h, j) => Math.max(h.length, ...rows.map((r) => r[j]!.length)));
  const line = (cells: string[]): string =>
    '| ' + cells.map((c, j) => (j === 0 ? c.padEnd(w[j]!) : c.padStart(w[j]!))).join(' | ') + ' |';
  const sep = '|' + w.map((n, j) => (j === 0 ? '-'.repeat(n + 2) : '-'.repeat(n + 1) + ':')).join('|') + '|';
  return [line(header), sep, ...rows.map(line)].join('\n');
}

// ---------------------------------------------------------------------------

async function main(): Promise<void> {
  const require = createRequire(import.meta.url);
  const hwVersion = (
    JSON.parse(readFileSync(require.resolve('hash-wasm/package.json'), 'utf8')) as { version: string }
  ).version;

  await selfCheck();
  const cands = await buildCandidates();

  console.log(
    `# node ${process.version}, OpenSSL ${process.versions.openssl}, V8 ${process.versions.v8}, hash-wasm ${hwVersion}`,
  );
  console.log(`# cpu: ${cpus()[0]?.model ?? '?'} x${cpus().length}, ${process.platform}/${process.arch}`);
  console.log(
    `# runs=${RUNS} min=${MIN_NS / 1e6}ms warm=${WARM_NS / 1e6}ms pool=${POOL_BYTES / 1048576}MiB; median of runs; GB/s = 1e9 B/s`,
  );
  console.log(`# load average at start: ${loadavg().map((x) => x.toFixed(2)).join(' ')}\n`);

  const pool = Buffer.allocUnsafe(POOL_BYTES + SIZES_KIB.reduce((a, b) => Math.max(a, b), 0) * 1024);
  randomFillSync(pool);

  // results[candidate][size] = { gbps[], nsPerCall[] }
  const gbps = cands.map(() => SIZES_KIB.map(() => [] as number[])); // CPU-time based
  const nsc = cands.map(() => SIZES_KIB.map(() => [] as number[])); // CPU ns per call
  const wallGbps = cands.map(() => SIZES_KIB.map(() => [] as number[]));

  for (const [si, kib] of SIZES_KIB.entries()) {
    const size = kib * 1024;
    const count = Math.max(4, Math.floor(POOL_BYTES / size));
    const blocks: Buffer[] = [];
    for (let k = 0; k < count; k++) blocks.push(pool.subarray(k * size, k * size + size));
    // ~1 MiB of data per timing-check batch.
    const batch = Math.max(1, Math.floor((1024 * 1024) / size));

    for (const c of cands) {
      c.prepare?.(size);
      await measure(c, blocks, batch, WARM_NS);
    }
    for (let r = 0; r < RUNS; r++) {
      for (const [ci, c] of cands.entries()) {
        c.prepare?.(size);
        const s = await measure(c, blocks, batch, MIN_NS);
        gbps[ci]![si]!.push((s.calls * size) / s.cpuNs);
        nsc[ci]![si]!.push(s.cpuNs / s.calls);
        wallGbps[ci]![si]!.push((s.calls * size) / s.wallNs);
      }
    }
    process.stderr.write(`# done ${fmtSize(kib)}\n`);
  }

  const medG = gbps.map((row) => row.map(median));
  const medN = nsc.map((row) => row.map(median));
  const baseIdx = cands.findIndex((c) => c.baseline === true);
  const sizeHdr = SIZES_KIB.map(fmtSize);
  const last = SIZES_KIB.length - 1;
  const firstKiB = SIZES_KIB[0]!;

  console.log(
    '## Throughput per core, GB/s of CPU time (median; spread = (max-min)/median over runs at the largest size)\n',
  );
  console.log(
    table(
      ['candidate', ...sizeHdr, 'spread'],
      cands.map((c, ci) => {
        const xs = gbps[ci]![last]!;
        const spread = (Math.max(...xs) - Math.min(...xs)) / medG[ci]![last]!;
        return [c.name, ...medG[ci]!.map((g) => g.toFixed(2)), `${(spread * 100).toFixed(0)}%`];
      }),
    ),
  );

  console.log('\n## CPU time per call (median)\n');
  console.log(
    table(
      ['candidate', ...sizeHdr],
      cands.map((c, ci) => [c.name, ...medN[ci]!.map(fmtNs)]),
    ),
  );

  console.log('\n## Throughput as a ratio to memcpy of the same block size (hash GB/s ÷ memcpy GB/s)\n');
  console.log(
    table(
      ['candidate', ...sizeHdr],
      cands.map((c, ci) => [c.name, ...medG[ci]!.map((g, si) => `${(g / medG[baseIdx]![si]!).toFixed(2)}x`)]),
    ),
  );

  console.log(
    `\n## Per-call overhead ≈ ns/call at ${fmtSize(firstKiB)} − ${fmtSize(firstKiB)} ÷ GB/s at ${fmtSize(SIZES_KIB[last]!)}\n`,
  );
  console.log(
    table(
      ['candidate', 'overhead/call', `ns/call @${fmtSize(firstKiB)}`, 'digest', 'sync per call'],
      cands.map((c, ci) => {
        const oh = medN[ci]![0]! - (firstKiB * 1024) / medG[ci]![last]!;
        return [
          c.name,
          fmtNs(Math.max(0, oh)),
          fmtNs(medN[ci]![0]!),
          c.digestBytes === 0 ? '-' : `${c.digestBytes} B`,
          c.sync ? 'yes' : 'no (Promise)',
        ];
      }),
    ),
  );
  console.log('\n## For reference: wall-clock throughput, GB/s (median; disturbed by other load on the machine)\n');
  console.log(
    table(
      ['candidate', ...sizeHdr],
      cands.map((c, ci) => [c.name, ...wallGbps[ci]!.map((row) => median(row).toFixed(2))]),
    ),
  );
  console.log(`\n# load average at end: ${loadavg().map((x) => x.toFixed(2)).join(' ')}`);
  if (sink === 0x7fffffff) console.log('');
}

await main();
