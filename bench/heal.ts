/**
 * `npm run bench -- heal [MiB]`: rebuilds a replaced drive of a 4-drive set
 * (2 data + 2 parity) holding MiB of objects (default 64) and reports the
 * rebuild rate beside a raw copy (`cp -r` + `sync`) of the same drive's
 * bytes on the same disk, and foreground GET p99 while the rebuild runs
 * against the same GETs, at the same pace, with the set idle. Targets (issue 6): rebuild ≥ 70 %
 * of the raw copy rate; GET p99 under heal ≤ 2× idle.
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
const totalMiB = Number(process.argv[2] ?? 64);
if (!Number.isFinite(totalMiB) || totalMiB < 4) {
  console.error('usage: npm run bench -- heal [MiB ≥ 4]');
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

try {
  let layer = await ErasureObjectLayer.open({ drives, parity: 2 });
  await layer.makeBucket('bench');
  const body = randomBytes(OBJECT);
  const count = Math.ceil((totalMiB * MiB) / OBJECT);
  for (let i = 0; i < count; i++) await layer.putObject('bench', `data/${i}`, once(body));
  for (let i = 0; i < PROBES; i++) await layer.putObject('bench', `probe/${i}`, once(randomBytes(PROBE)));

  // Idle and under heal, the same client: one GET every 5 ms, as a foreground user would pace them.
  const idle: number[] = [];
  for (let i = 0; i < 400; i++) {
    idle.push(await getLatency(layer, i));
    await new Promise((r) => setTimeout(r, 5));
  }

  // The raw copy: the bytes one drive holds, copied on the same disk and made durable.
  // Three copies, the median kept: one copy of a few hundred MB swings by half on a shared disk.
  const driveBytes = du(join(drives[1], 'data'));
  const copies: number[] = [];
  for (let i = 0; i < 3; i++) {
    const start = performance.now();
    execFileSync('cp', ['-r', join(drives[1], 'data'), join(root, 'copy')]);
    execFileSync('sync', ['-f', join(root, 'copy')]);
    copies.push((performance.now() - start) / 1000);
    rmSync(join(root, 'copy'), { recursive: true, force: true });
  }
  const copySeconds = pct(copies, 0.5);
  const userCopies: number[] = [];
  for (let i = 0; i < 3; i++) {
    const start = performance.now();
    await userSpaceCopy(join(drives[1], 'data'), join(root, 'copy'));
    userCopies.push((performance.now() - start) / 1000);
    rmSync(join(root, 'copy'), { recursive: true, force: true });
  }
  const userCopySeconds = pct(userCopies, 0.5);

  await layer.close();
  rmSync(drives[1], { recursive: true, force: true });
  layer = await ErasureObjectLayer.open({ drives });
  const healer = new Healer(layer, { ...DEFAULT_HEALER_CONFIG, intervalSeconds: 0, watchSeconds: 3600 });
  const underHeal: number[] = [];
  const healStart = performance.now();
  healer.start();
  let rebuild = healer.status().rebuilds[0];
  while (!rebuild || rebuild.state === 'running') {
    underHeal.push(await getLatency(layer, underHeal.length));
    // The pace of a foreground client, not a tight loop: one GET every 5 ms.
    await new Promise((r) => setTimeout(r, 5));
    rebuild = healer.status().rebuilds[0];
  }
  const healSeconds = (performance.now() - healStart) / 1000;
  await healer.close();
  if (rebuild.state !== 'done') throw new Error(`rebuild ${rebuild.state}: ${rebuild.lastError}`);
  const rebuiltBytes = du(join(drives[1], 'data'));
  await layer.close();

  const mbps = (bytes: number, s: number) => bytes / MiB / s;
  const healRate = mbps(rebuiltBytes, healSeconds);
  const copyRate = mbps(driveBytes, copySeconds);
  console.log(`heal bench: ${count} objects of ${OBJECT / MiB} MiB (${totalMiB} MiB of data), 2+2 set, one drive replaced`);
  console.log(`  rebuilt ${(rebuiltBytes / MiB).toFixed(1)} MiB of shards in ${healSeconds.toFixed(2)} s: ${healRate.toFixed(1)} MB/s (${mbps(rebuild.bytesDone, healSeconds).toFixed(1)} MB/s of object data)`);
  console.log(`  raw copy of ${(driveBytes / MiB).toFixed(1)} MiB (cp -r + sync, median of 3) in ${copySeconds.toFixed(2)} s: ${copyRate.toFixed(1)} MB/s`);
  const userCopyRate = mbps(driveBytes, userCopySeconds);
  console.log(`  copy through user memory (4 MiB read/write + fdatasync, median of 3): ${userCopyRate.toFixed(1)} MB/s`);
  console.log(`  rebuild / raw copy: ${(healRate / copyRate).toFixed(2)} (target ≥ 0.70); rebuild / user-memory copy: ${(healRate / userCopyRate).toFixed(2)}`);
  console.log(`  GET ${PROBE / 1024} KiB p99: idle ${pct(idle, 0.99).toFixed(2)} ms (${idle.length} GETs), under heal ${pct(underHeal, 0.99).toFixed(2)} ms (${underHeal.length} GETs)`);
  console.log(`  p99 under heal / idle: ${(pct(underHeal, 0.99) / pct(idle, 0.99)).toFixed(2)} (target ≤ 2)`);
} finally {
  rmSync(root, { recursive: true, force: true });
}
