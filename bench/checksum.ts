/**
 * S3 additional-checksum throughput.
 *
 *   node --import tsx bench/checksum.ts [--runs=5] [--min-ms=400] [--size-kib=1024] [--only=REGEX]
 *
 * Every candidate hashes one `--size-kib` buffer (1 MiB by default) per call,
 * from a fresh hasher, on the main thread. Each is warmed up, then measured in
 * `--runs` interleaved rounds of at least `--min-ms`; the table shows the
 * median round. GB/s is 10^9 bytes per second of process CPU time (user +
 * system), the cost on one core, which noisy neighbours disturb less than
 * wall time; the wall-clock figure is printed beside it.
 *
 * The baseline `Buffer#copy` copies the buffer into another of the same size
 * (bytes copied per second). hash-wasm's CRC32C / CRC-64 (already a
 * dependency) and the AWS SDK's pure-JS CRC32C / CRC64NVME (from
 * @aws-sdk/checksums, present through @aws-sdk/client-s3 when dev
 * dependencies are installed) are there for comparison. Before measuring,
 * every candidate's digest of random data is checked against ours.
 */
import { createHash, randomFillSync } from 'node:crypto';
import { cpus } from 'node:os';
import { createCRC32, createCRC64 } from 'hash-wasm';
import { _kernelsForTests, checksumOf, createChecksum, type ChecksumAlgorithm } from '../engine/s3/checksum/algorithms.js';

function opt(name: string, dflt: string): string {
  const prefix = `--${name}=`;
  const hit = process.argv.slice(2).find((a) => a.startsWith(prefix));
  return hit === undefined ? dflt : hit.slice(prefix.length);
}

const RUNS = Math.max(1, Number(opt('runs', '5')));
const MIN_NS = Number(opt('min-ms', '400')) * 1e6;
const SIZE = Math.round(Number(opt('size-kib', '1024')) * 1024);
const ONLY = opt('only', '');
const onlyRe = ONLY === '' ? null : new RegExp(ONLY, 'i');

interface Candidate {
  name: string;
  /** Our algorithm this computes, for the self-check. */
  checks?: ChecksumAlgorithm;
  fn?: (b: Buffer) => Uint8Array | number | void;
  afn?: (b: Buffer) => Promise<Uint8Array | void>;
  baseline?: boolean;
}

let sink = 0;
function touch(r: unknown): void {
  if (r instanceof Uint8Array) sink ^= r[0] ?? 0;
  else if (typeof r === 'number') sink ^= r;
}

const digestOf = (alg: ChecksumAlgorithm) => (b: Buffer): Uint8Array => {
  const c = createChecksum(alg);
  c.update(b);
  return c.digest();
};

async function candidates(): Promise<Candidate[]> {
  const dst = Buffer.alloc(SIZE);
  const list: Candidate[] = [
    { name: 'Buffer#copy [baseline]', baseline: true, fn: (b) => void b.copy(dst) },
    { name: 'CRC32      zlib.crc32 (native)', checks: 'CRC32', fn: digestOf('CRC32') },
    { name: 'CRC32      TS slicing-by-16 (Node < 20.15 fallback)', checks: 'CRC32', fn: (b) => be32(~_kernelsForTests.crc32Words(-1, b) >>> 0) },
    { name: 'CRC32C     TS slicing-by-16', checks: 'CRC32C', fn: digestOf('CRC32C') },
    { name: 'CRC64NVME  TS slicing-by-8, 32-bit halves', checks: 'CRC64NVME', fn: digestOf('CRC64NVME') },
    { name: 'SHA1       node:crypto', checks: 'SHA1', fn: digestOf('SHA1') },
    { name: 'SHA256     node:crypto', checks: 'SHA256', fn: digestOf('SHA256') },
    { name: 'MD5        node:crypto (Content-MD5)', fn: (b) => createHash('md5').update(b).digest() },
  ];

  // Comparisons: hash-wasm (a dependency already) and the AWS SDK's JS CRCs.
  const hw32c = await createCRC32(0x82f63b78);
  const hw64 = await createCRC64('9a6c9329ac4bc9b5');
  list.push(
    { name: 'CRC32C     hash-wasm (WASM)', checks: 'CRC32C', fn: (b) => hw32c.init().update(b).digest('binary') },
    { name: 'CRC64NVME  hash-wasm crc64 NVMe poly (WASM)', checks: 'CRC64NVME', fn: (b) => hw64.init().update(b).digest('binary') },
  );
  try {
    const spec = '@aws-sdk/checksums/crc';
    type Hasher = { update(b: Uint8Array): void; digest(): Promise<Uint8Array> };
    const sdk = (await import(spec)) as { Crc32cJs: new () => Hasher; Crc64NvmeJs: new () => Hasher };
    list.push(
      {
        name: 'CRC32C     @aws-sdk/checksums Crc32cJs',
        checks: 'CRC32C',
        afn: (b) => {
          const h = new sdk.Crc32cJs();
          h.update(b);
          return h.digest();
        },
      },
      {
        name: 'CRC64NVME  @aws-sdk/checksums Crc64NvmeJs',
        checks: 'CRC64NVME',
        afn: (b) => {
          const h = new sdk.Crc64NvmeJs();
          h.update(b);
          return h.digest();
        },
      },
    );
  } catch {
    console.log('# @aws-sdk/checksums not installed: its CRCs are left out');
  }
  return list.filter((c) => c.baseline === true || onlyRe === null || onlyRe.test(c.name));
}

function be32(v: number): Buffer {
  const out = Buffer.allocUnsafe(4);
  out.writeUInt32BE(v, 0);
  return out;
}

async function selfCheck(list: Candidate[]): Promise<void> {
  const data = randomFillSync(Buffer.alloc(SIZE + 13)).subarray(1, SIZE + 8);
  for (const c of list) {
    if (!c.checks) continue;
    const got = Buffer.from((c.fn ? c.fn(data) : await c.afn!(data)) as Uint8Array);
    const want = checksumOf(c.checks, data);
    if (!got.equals(want)) throw new Error(`self-check ${c.name}: got ${got.toString('hex')}, want ${want.toString('hex')}`);
  }
}

interface Round {
  cpuGBs: number;
  wallGBs: number;
}

async function measure(c: Candidate, buf: Buffer, minNs: number): Promise<Round> {
  const cpu0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  let calls = 0;
  for (;;) {
    for (let i = 0; i < 8; i++) touch(c.fn ? c.fn(buf) : await c.afn!(buf));
    calls += 8;
    const wall = Number(process.hrtime.bigint() - t0);
    const cpu = process.cpuUsage(cpu0);
    const cpuNs = (cpu.user + cpu.system) * 1000;
    if (wall >= minNs && cpuNs >= minNs) return { cpuGBs: (calls * buf.length) / cpuNs, wallGBs: (calls * buf.length) / wall };
  }
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function main(): Promise<void> {
  const list = await candidates();
  await selfCheck(list);
  const buf = randomFillSync(Buffer.alloc(SIZE));
  console.log(`# ${cpus()[0]?.model ?? 'cpu?'} × ${cpus().length}, Node ${process.version}; ${SIZE} B per call, ${RUNS} rounds ≥ ${MIN_NS / 1e6} ms, median`);
  for (const c of list) await measure(c, buf, 100e6); // warm-up
  const rounds = new Map<Candidate, Round[]>(list.map((c) => [c, []]));
  for (let r = 0; r < RUNS; r++) for (const c of list) rounds.get(c)!.push(await measure(c, buf, MIN_NS));

  const base = median(rounds.get(list.find((c) => c.baseline)!)!.map((x) => x.cpuGBs));
  const w = Math.max(...list.map((c) => c.name.length));
  console.log(`${'candidate'.padEnd(w)}  GB/s cpu  GB/s wall  vs copy`);
  for (const c of list) {
    const rs = rounds.get(c)!;
    const cpu = median(rs.map((x) => x.cpuGBs));
    const wall = median(rs.map((x) => x.wallGBs));
    console.log(`${c.name.padEnd(w)}  ${cpu.toFixed(2).padStart(8)}  ${wall.toFixed(2).padStart(9)}  ${(cpu / base).toFixed(3).padStart(7)}`);
  }
  if (sink === 0.5) console.log(sink);
}

await main();
