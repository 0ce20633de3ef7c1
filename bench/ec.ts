/**
 * Erasure-coding throughput: node --import tsx bench/ec.ts
 *
 * Encode and reconstruct (2 data shards lost, 1 where m = 1) of 1 MiB data
 * blocks for 2+2, 4+2 and 8+4, with
 *   - wasm:   our WebAssembly SIMD codec (engine/erasure/rs/codec.ts),
 *   - scalar: the plain table-driven TypeScript reference (scalar.ts),
 *   - native: @ronomon/reed-solomon (C addon, Cauchy bit-matrix XOR code),
 *             only if it is installed: it is NOT a dependency. To include it:
 *             `npm install --no-save @ronomon/reed-solomon`, or point
 *             GRANARY_NATIVE_RS at a package directory built elsewhere.
 *
 * Figures are GB/s of DATA per core: data bytes in (1 MiB per operation)
 * divided by the CPU seconds the process spent (process.cpuUsage, user +
 * system), so other load on the machine distorts them less than wall time.
 * The native coder runs on a libuv thread, one operation in flight; its CPU
 * time includes the main thread's share. Each figure is the median of RUNS
 * runs of at least SECONDS each, after a warm-up.
 *
 * Env: EC_BENCH_RUNS (default 5), EC_BENCH_SECONDS (default 1).
 */
import { createRequire } from 'node:module';
import { cpus, loadavg } from 'node:os';
import { randomFillSync } from 'node:crypto';
import { reedSolomon } from '../engine/erasure/rs/codec.js';
import { ScalarReedSolomon } from '../engine/erasure/rs/scalar.js';

const RUNS = Number(process.env.EC_BENCH_RUNS ?? 5);
const SECONDS = Number(process.env.EC_BENCH_SECONDS ?? 1);
const BLOCK = 1 << 20;
const CONFIGS: [number, number][] = [[2, 2], [4, 2], [8, 4]];

type Op = () => void | Promise<void>;

interface NativeRS {
  create(k: number, m: number): unknown;
  encode(
    context: unknown, sources: number, targets: number,
    buffer: Buffer, bufferOffset: number, bufferSize: number,
    parity: Buffer, parityOffset: number, paritySize: number,
    callback: (error?: Error) => void,
  ): void;
}

function loadNative(): { rs: NativeRS | null; note: string } {
  // The package's entry point is a .node addon, which `import()` cannot load;
  // require it (through createRequire) inside try/catch instead.
  const require = createRequire(import.meta.url);
  const candidates = [process.env.GRANARY_NATIVE_RS, '@ronomon/reed-solomon'].filter((c): c is string => !!c);
  const errors: string[] = [];
  for (const id of candidates) {
    try {
      return { rs: require(id) as NativeRS, note: `native: @ronomon/reed-solomon loaded from ${require.resolve(id)}` };
    } catch (err) {
      errors.push(`${id}: ${(err as Error).message.split('\n')[0]}`);
    }
  }
  return { rs: null, note: `native: skipped, @ronomon/reed-solomon not available (${errors.join('; ')})` };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

/** GB/s of `bytes` per call, over CPU time: the median of RUNS runs of >= SECONDS. */
async function measure(op: Op, bytes: number): Promise<number> {
  const once = async (seconds: number): Promise<number> => {
    let n = 0;
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    do {
      const r = op();
      if (r) await r;
      n++;
    } while (performance.now() - t0 < seconds * 1000);
    const c = process.cpuUsage(c0);
    return (n * bytes) / ((c.user + c.system) / 1e6) / 1e9;
  };
  await once(Math.min(0.5, SECONDS)); // warm-up: tier-up to optimized code, caches, plans
  const rates: number[] = [];
  for (let r = 0; r < RUNS; r++) rates.push(await once(SECONDS));
  return median(rates);
}

function lost(k: number, m: number): number[] {
  return m === 1 ? [0] : [0, 1];
}

async function main(): Promise<void> {
  const native = loadNative();
  console.log(`CPU ${cpus()[0]?.model ?? '?'} × ${cpus().length}, Node ${process.version}, V8 ${process.versions.v8}`);
  console.log(`load average at start: ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  console.log(native.note);
  console.log(`median of ${RUNS} runs of >= ${SECONDS} s; GB/s of data per core (CPU time); 1 MiB data per operation\n`);

  const rows: { config: string; op: string; wasm: number; scalar: number; native: number | null }[] = [];
  for (const [k, m] of CONFIGS) {
    const shard = BLOCK / k;
    const gone = lost(k, m);
    const present = Array.from({ length: k + m }, (_, i) => !gone.includes(i));

    // wasm: data copied into the stripe once; encode and reconstruct in place.
    const stripe = reedSolomon(k, m).allocStripe(shard);
    const views = stripe.shards;
    for (let i = 0; i < k; i++) randomFillSync(views[i]);
    const wasmEncode = await measure(() => stripe.encode(), BLOCK);
    stripe.encode();
    const wasmReconstruct = await measure(() => stripe.reconstruct(present), BLOCK);

    // scalar reference on plain arrays.
    const scalar = new ScalarReedSolomon(k, m);
    const shards = Array.from({ length: k + m }, (_, i) => (i < k ? randomFillSync(new Uint8Array(shard)) : new Uint8Array(shard)));
    const scalarEncode = await measure(() => scalar.encode(shards), BLOCK);
    const scalarReconstruct = await measure(() => scalar.reconstruct(shards, present), BLOCK);

    // native, one operation in flight.
    let nativeEncode: number | null = null;
    let nativeReconstruct: number | null = null;
    if (native.rs) {
      const rs = native.rs;
      const context = rs.create(k, m);
      const buffer = randomFillSync(Buffer.alloc(BLOCK));
      const parity = Buffer.alloc(shard * m);
      const all = (1 << (k + m)) - 1;
      const dataBits = (1 << k) - 1;
      const lostBits = gone.reduce((b, i) => b | (1 << i), 0);
      const run = (sources: number, targets: number) => new Promise<void>((resolve, reject) => {
        rs.encode(context, sources, targets, buffer, 0, BLOCK, parity, 0, shard * m, (err) => (err ? reject(err) : resolve()));
      });
      nativeEncode = await measure(() => run(dataBits, all & ~dataBits), BLOCK);
      await run(dataBits, all & ~dataBits);
      nativeReconstruct = await measure(() => run(all & ~lostBits, lostBits), BLOCK);
    }
    stripe.free();

    rows.push({ config: `${k}+${m}`, op: 'encode', wasm: wasmEncode, scalar: scalarEncode, native: nativeEncode });
    rows.push({ config: `${k}+${m}`, op: `reconstruct (${gone.length} lost)`, wasm: wasmReconstruct, scalar: scalarReconstruct, native: nativeReconstruct });
  }

  const copySrc = randomFillSync(Buffer.alloc(BLOCK));
  const copyDst = Buffer.alloc(BLOCK);
  const copy = await measure(() => { copySrc.copy(copyDst); }, BLOCK);

  const f = (x: number | null, d = 2) => (x === null ? '-' : x.toFixed(d));
  const r = (a: number, b: number | null) => (b === null ? '-' : `${(a / b).toFixed(a / b >= 10 ? 0 : 2)}×`);
  const header = ['config', 'operation', 'wasm SIMD', 'scalar TS', 'native C', 'wasm/scalar', 'wasm/native'];
  const table = rows.map((row) => [row.config, row.op, f(row.wasm), f(row.scalar, 3), f(row.native), r(row.wasm, row.scalar), r(row.wasm, row.native)]);
  const widths = header.map((h, i) => Math.max(h.length, ...table.map((t) => t[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => (i < 2 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  console.log(line(header));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const t of table) console.log(line(t));
  console.log(`\nmemory reference: Buffer.prototype.copy of 1 MiB: ${copy.toFixed(2)} GB/s (bytes copied per CPU second)`);
  console.log(`load average at end: ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
}

await main();
