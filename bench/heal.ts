/**
 * `npm run bench -- heal [MiB]`: rebuilds a replaced drive of a 4-drive set
 * (2 data + 2 parity) holding MiB of objects (default 1024: the issue asks
 * for gigabytes, and a smaller set is mostly the rebuild's start-up) and
 * reports the rebuild rate beside a raw copy (`cp -r` + `sync`) of the same
 * drive's bytes on the same disk, and foreground GET p99 while the rebuild
 * runs against the same GETs, at the same pace, with the set idle.
 * Targets (issue 6): rebuild ≥ 70 % of the raw copy rate; GET p99 under
 * heal ≤ 2× idle.
 *
 * ROUNDS rounds (default 3), each measuring the idle GETs, one raw copy,
 * one copy through user memory and one rebuild, back to back: a shared
 * disk's rate swings by 2× within a minute, so each ratio is taken within
 * its round and the medians are reported beside every round's figures.
 */
import { Readable } from 'node:stream';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import { DEFAULT_HEALER_CONFIG, Healer } from '../engine/heal/healer.js';
import { ErasureObjectLayer } from '../engine/object/erasure-object-layer.js';

const MiB = 1024 * 1024;
const totalMiB = Number(process.argv[2] ?? 1024);
const ROUNDS = Number(process.env.ROUNDS ?? 3);
if (!Number.isFinite(totalMiB) || totalMiB < 4 || !(ROUNDS >= 1)) {
  console.error('usage: [ROUNDS=n] npm run bench -- heal [MiB ≥ 4]');
  process.exit(2);
}
const OBJECT = 4 * MiB;
const PROBE = 64 * 1024;
const PROBES = 32;

const base = join(process.cwd(), '.tmp');
mkdirSync(base, { recursive: true });
const root = mkdtempSync(join(base, 'bench-heal-'));
const drives = [1, 2, 3, 4].map((i) => join(root, `d${i}`));
const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * p))];
const du = (path: string) => Number(execFileSync('du', ['-sb', path]).toString().split('\t')[0]);

async function* once(b: Uint8Array, chunk = 256 * 1024) {
  for (let i = 0; i < b.length; i += chunk) yield b.subarray(i, i + chunk);
}

/**
 * A copy whose bytes pass through this process, as a rebuild's must: 4 MiB
 * reads and writes, each file synced. `cp` moves bytes inside the kernel
 * (copy_file_range), which on some VMs is several times cheaper than
 * copying them to and from user memory; this shows how much of the gap
 * that is.
 */
async function userSpaceCopy(from: string, to: string): Promise<void> {
  const buf = Buffer.allocUnsafe(4 * MiB);
  for (const entry of readdirSync(from, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const src = join(entry.parentPath, entry.name);
    const dst = join(to, relative(from, src));
    mkdirSync(dirname(dst), { recursive: true });
    const [r, w] = [await open(src, 'r'), await open(dst, 'w')];
    try {
      for (let n; (n = (await r.read(buf, 0, buf.length)).bytesRead) > 0;) await w.write(buf, 0, n);
      await w.datasync();
    } finally {
      await r.close();
      await w.close();
    }
  }
}

async function getLatency(layer: ErasureObjectLayer, i: number): Promise<number> {
  const t = performance.now();
  const r = await layer.getObject('bench', `probe/${i % PROBES}`);
  if (r.body instanceof Readable) for await (const _ of r.body) { /* drain */ }
  return performance.now() - t;
}

/** One GET every 5 ms, as a foreground user would pace them, until `until` (given the GETs so far) says stop. */
async function pacedGets(layer: ErasureObjectLayer, until: (n: number) => boolean): Promise<number[]> {
  const times: number[] = [];
  while (!until(times.length)) {
    times.push(await getLatency(layer, times.length));
    await new Promise((r) => setTimeout(r, 5));
  }
  return times;
}

/** Seconds to run `work`. */
async function timed(work: () => unknown): Promise<number> {
  const start = performance.now();
  await work();
  return (performance.now() - start) / 1000;
}

interface Round { copies: number[]; copy: number; userCopy: number; rebuild: number; idleP99: number; healP99: number; gets: number }

async function round(): Promise<Round> {
  let layer = await ErasureObjectLayer.open({ drives });
  const idle = await pacedGets(layer, (n) => n >= 400);
  await layer.close();

  // The raw copy: the bytes one drive holds, copied on the same disk and made durable.
  const driveBytes = du(join(drives[1], 'data'));
  const copy = join(root, 'copy');
  // Three copies, the median kept. On this VM the first copy after other writes runs at half the speed of the
  // next two (ext4 reuses the blocks the last copy freed, which the virtual disk has already allocated): the
  // median is the faster, harder baseline, and every copy's rate is printed.
  const copies: number[] = [];
  for (let i = 0; i < 3; i++) {
    copies.push(await timed(() => {
      execFileSync('cp', ['-r', join(drives[1], 'data'), copy]);
      execFileSync('sync', ['-f', copy]);
    }));
    rmSync(copy, { recursive: true, force: true });
  }
  const userCopySeconds = await timed(() => userSpaceCopy(join(drives[1], 'data'), copy));
  rmSync(copy, { recursive: true, force: true });

  rmSync(drives[1], { recursive: true, force: true });
  layer = await ErasureObjectLayer.open({ drives });
  const healer = new Healer(layer, { ...DEFAULT_HEALER_CONFIG, intervalSeconds: 0, watchSeconds: 3600 });
  const healStart = performance.now();
  healer.start();
  let rebuild = healer.status().rebuilds[0];
  const underHeal = await pacedGets(layer, () => {
    rebuild = healer.status().rebuilds[0];
    return rebuild !== undefined && rebuild.state !== 'running';
  });
  const healSeconds = (performance.now() - healStart) / 1000;
  await healer.close();
  if (rebuild.state !== 'done') throw new Error(`rebuild ${rebuild.state}: ${rebuild.lastError}`);
  const rebuiltBytes = du(join(drives[1], 'data'));
  await layer.close();
  if (rebuiltBytes !== driveBytes) throw new Error(`rebuilt ${rebuiltBytes} bytes of shards, the drive held ${driveBytes}`);
  const rate = (s: number) => driveBytes / MiB / s;
  return { copies: copies.map(rate), copy: rate(pct(copies, 0.5)), userCopy: rate(userCopySeconds), rebuild: rate(healSeconds), idleP99: pct(idle, 0.99), healP99: pct(underHeal, 0.99), gets: underHeal.length };
}

try {
  const layer = await ErasureObjectLayer.open({ drives, parity: 2 });
  await layer.makeBucket('bench');
  const body = randomBytes(OBJECT);
  const count = Math.ceil((totalMiB * MiB) / OBJECT);
  for (let i = 0; i < count; i++) await layer.putObject('bench', `data/${i}`, once(body));
  for (let i = 0; i < PROBES; i++) await layer.putObject('bench', `probe/${i}`, once(randomBytes(PROBE)));
  await layer.close();
  const driveMiB = du(join(drives[1], 'data')) / MiB;

  console.log(`heal bench: ${count} objects of ${OBJECT / MiB} MiB (${totalMiB} MiB of data), 2+2 set, one drive of ${driveMiB.toFixed(1)} MiB of shards replaced, ${ROUNDS} rounds`);
  console.log(`  round  ${'cp+sync MB/s (median)'.padEnd(24)} user copy    rebuild   rebuild÷cp  rebuild÷user   GET p99 idle  under heal  ratio`);
  const rounds: Round[] = [];
  for (let r = 1; r <= ROUNDS; r++) {
    const x = await round();
    rounds.push(x);
    console.log(`  ${String(r).padStart(5)}  ${`${x.copies.map((c) => c.toFixed(0)).join('/')} (${x.copy.toFixed(0)})`.padEnd(24)} ${x.userCopy.toFixed(0).padStart(9)} ${x.rebuild.toFixed(0).padStart(10)} ${(x.rebuild / x.copy).toFixed(2).padStart(12)} ${(x.rebuild / x.userCopy).toFixed(2).padStart(13)} ${x.idleP99.toFixed(2).padStart(11)} ms ${x.healP99.toFixed(2).padStart(8)} ms ${(x.healP99 / x.idleP99).toFixed(2).padStart(6)}  (${x.gets} GETs)`);
  }
  const median = (f: (x: Round) => number) => pct(rounds.map(f), 0.5);
  console.log(`  medians: rebuild ${median((x) => x.rebuild).toFixed(0)} MB/s of shards; rebuild / raw copy ${median((x) => x.rebuild / x.copy).toFixed(2)} (target ≥ 0.70); rebuild / user-memory copy ${median((x) => x.rebuild / x.userCopy).toFixed(2)}`);
  console.log(`  medians: GET ${PROBE / 1024} KiB p99 idle ${median((x) => x.idleP99).toFixed(2)} ms, under heal ${median((x) => x.healP99).toFixed(2)} ms; p99 under heal / idle ${median((x) => x.healP99 / x.idleP99).toFixed(2)} (target ≤ 2)`);
} finally {
  rmSync(root, { recursive: true, force: true });
}
