import { createHash } from 'node:crypto';
import * as zlib from 'node:zlib';

/**
 * The five algorithms of S3's "additional checksums", as incremental hashers.
 *
 * - CRC32: zlib's (native, `zlib.crc32`, Node ≥ 20.15), or the table kernel
 *   below on older Node.
 * - CRC32C (Castagnoli): reflected polynomial 0x82F63B78, init and xorout all
 *   ones (check value of "123456789": 0xE3069283).
 * - CRC64NVME (reveng's CRC-64/NVME): polynomial 0xAD93D23594C93659, i.e.
 *   0x9A6C9329AC4BC9B5 reflected, init and xorout all ones (check value
 *   0xAE8B14860A799888), the one AWS's aws-checksums / SDKs implement.
 * - SHA1, SHA256: node:crypto.
 *
 * Digests are big-endian, which is what S3 base64-encodes.
 *
 * The CRC kernels are slicing-by-N table loops that, on little-endian hosts,
 * read the input as 32-bit words through an Int32Array view (after at most
 * three single bytes to reach an aligned address). CRC64 runs on two 32-bit
 * halves because a BigInt per step is ~50x slower.
 */

export const CHECKSUM_ALGORITHMS = ['CRC32', 'CRC32C', 'CRC64NVME', 'SHA1', 'SHA256'] as const;
export type ChecksumAlgorithm = (typeof CHECKSUM_ALGORITHMS)[number];
export type CrcAlgorithm = Extract<ChecksumAlgorithm, 'CRC32' | 'CRC32C' | 'CRC64NVME'>;

/** Digest length in bytes. */
export const DIGEST_LENGTH: Readonly<Record<ChecksumAlgorithm, number>> = { CRC32: 4, CRC32C: 4, CRC64NVME: 8, SHA1: 20, SHA256: 32 };

export interface Checksum {
  update(bytes: Uint8Array): void;
  /** The big-endian digest. CRC hashers may go on after it; the SHA ones may not. */
  digest(): Buffer;
}

export function isChecksumAlgorithm(value: string): value is ChecksumAlgorithm {
  return (CHECKSUM_ALGORITHMS as readonly string[]).includes(value);
}

export function isCrcAlgorithm(alg: ChecksumAlgorithm): alg is CrcAlgorithm {
  return alg === 'CRC32' || alg === 'CRC32C' || alg === 'CRC64NVME';
}

export function createChecksum(alg: ChecksumAlgorithm): Checksum {
  switch (alg) {
    case 'CRC32': return NATIVE_CRC32 ? new ZlibCrc32() : new TableCrc32(CRC32_TABLE);
    case 'CRC32C': return new TableCrc32(CRC32C_TABLE);
    case 'CRC64NVME': return new Crc64Nvme();
    case 'SHA1': return new NodeHash('sha1');
    case 'SHA256': return new NodeHash('sha256');
  }
}

/** One-shot digest of `bytes`. */
export function checksumOf(alg: ChecksumAlgorithm, bytes: Uint8Array): Buffer {
  const c = createChecksum(alg);
  c.update(bytes);
  return c.digest();
}

/** zlib-style functional CRC32C: `previous` is the finished CRC of the bytes before. */
export function crc32c(bytes: Uint8Array, previous = 0): number {
  return ~crc32Kernel(CRC32C_TABLE, ~previous, bytes) >>> 0;
}

/** zlib-style CRC32 (native when available). */
export function crc32(bytes: Uint8Array, previous = 0): number {
  return NATIVE_CRC32 ? NATIVE_CRC32(bytes, previous) >>> 0 : ~crc32Kernel(CRC32_TABLE, ~previous, bytes) >>> 0;
}

/** Functional CRC64NVME on BigInt values (the state stays in two 32-bit halves inside). */
export function crc64nvme(bytes: Uint8Array, previous = 0n): bigint {
  const c = new Crc64Nvme();
  c.hi = ~Number((previous >> 32n) & 0xffffffffn) | 0;
  c.lo = ~Number(previous & 0xffffffffn) | 0;
  c.update(bytes);
  return c.digest().readBigUInt64BE(0);
}

// ---------------------------------------------------------------------------
// Hashers

const NATIVE_CRC32: ((data: Uint8Array, value?: number) => number) | undefined =
  typeof (zlib as { crc32?: unknown }).crc32 === 'function' ? (zlib as { crc32: (data: Uint8Array, value?: number) => number }).crc32 : undefined;

class ZlibCrc32 implements Checksum {
  private crc = 0;
  update(bytes: Uint8Array): void {
    this.crc = NATIVE_CRC32!(bytes, this.crc);
  }
  digest(): Buffer {
    const out = Buffer.allocUnsafe(4);
    out.writeUInt32BE(this.crc >>> 0, 0);
    return out;
  }
}

/** A reflected 32-bit CRC with init = xorout = ~0; the state is kept un-inverted. */
class TableCrc32 implements Checksum {
  private state = -1;
  constructor(private readonly table: Int32Array) {}
  update(bytes: Uint8Array): void {
    this.state = crc32Kernel(this.table, this.state, bytes);
  }
  digest(): Buffer {
    const out = Buffer.allocUnsafe(4);
    out.writeUInt32BE(~this.state >>> 0, 0);
    return out;
  }
}

class Crc64Nvme implements Checksum {
  /** Un-inverted register, high and low halves as int32. */
  hi = -1;
  lo = -1;
  update(bytes: Uint8Array): void {
    crc64Kernel(this, bytes);
  }
  digest(): Buffer {
    const out = Buffer.allocUnsafe(8);
    out.writeUInt32BE(~this.hi >>> 0, 0);
    out.writeUInt32BE(~this.lo >>> 0, 4);
    return out;
  }
}

class NodeHash implements Checksum {
  private readonly hash;
  private done: Buffer | undefined;
  constructor(alg: 'sha1' | 'sha256') {
    this.hash = createHash(alg);
  }
  update(bytes: Uint8Array): void {
    this.hash.update(bytes);
  }
  digest(): Buffer {
    this.done ??= this.hash.digest();
    return this.done;
  }
}

// ---------------------------------------------------------------------------
// Tables

const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;
/** Below this many bytes the word path's typed-array view costs more than it saves. */
const WORD_PATH_MIN = 64;

const CRC32_SLICES = 16;
const CRC64_SLICES = 8;

/** Slicing-by-16 tables for a reflected 32-bit polynomial: entry [s*256+i] is byte i followed by s zero bytes. */
function crc32Tables(poly: number): Int32Array {
  const t = new Int32Array(CRC32_SLICES * 256);
  for (let i = 0; i < 256; i++) {
    let c = i;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ poly : c >>> 1;
    t[i] = c;
  }
  for (let s = 1; s < CRC32_SLICES; s++) {
    for (let i = 0; i < 256; i++) {
      const p = t[(s - 1) * 256 + i];
      t[s * 256 + i] = (p >>> 8) ^ t[p & 0xff];
    }
  }
  return t;
}

const CRC32_TABLE = crc32Tables(0xedb88320);
const CRC32C_TABLE = crc32Tables(0x82f63b78);

/** Slicing-by-8 tables for CRC-64/NVME as separate high and low halves. */
const CRC64_HI = new Int32Array(CRC64_SLICES * 256);
const CRC64_LO = new Int32Array(CRC64_SLICES * 256);
(() => {
  const PH = 0x9a6c9329 | 0;
  const PL = 0xac4bc9b5 | 0;
  for (let i = 0; i < 256; i++) {
    let h = 0;
    let l = i;
    for (let k = 0; k < 8; k++) {
      const bit = l & 1;
      l = (l >>> 1) | (h << 31);
      h >>>= 1;
      if (bit) {
        h ^= PH;
        l ^= PL;
      }
    }
    CRC64_HI[i] = h;
    CRC64_LO[i] = l;
  }
  for (let s = 1; s < CRC64_SLICES; s++) {
    for (let i = 0; i < 256; i++) {
      const ph = CRC64_HI[(s - 1) * 256 + i];
      const pl = CRC64_LO[(s - 1) * 256 + i];
      const x = pl & 0xff;
      CRC64_HI[s * 256 + i] = (ph >>> 8) ^ CRC64_HI[x];
      CRC64_LO[s * 256 + i] = ((pl >>> 8) | (ph << 24)) ^ CRC64_LO[x];
    }
  }
})();

// ---------------------------------------------------------------------------
// Kernels. `c` is the un-inverted register; all values are int32.

function crc32Kernel(t: Int32Array, c: number, b: Uint8Array): number {
  const n = b.length;
  if (LITTLE_ENDIAN && n >= WORD_PATH_MIN) return t === CRC32C_TABLE ? crc32cWords(c, b) : crc32Words(t, c, b);
  return crc32Bytes(t, c, b, 0, n);
}

/** Slicing-by-8 on byte reads, then one byte at a time: any endianness, any alignment. */
function crc32Bytes(t: Int32Array, c: number, b: Uint8Array, from: number, to: number): number {
  let i = from;
  for (; i + 8 <= to; i += 8) {
    const a = c ^ (b[i] | (b[i + 1] << 8) | (b[i + 2] << 16) | (b[i + 3] << 24));
    c = t[1792 + (a & 0xff)] ^ t[1536 + ((a >>> 8) & 0xff)] ^ t[1280 + ((a >>> 16) & 0xff)] ^ t[1024 + (a >>> 24)] ^
      t[768 + b[i + 4]] ^ t[512 + b[i + 5]] ^ t[256 + b[i + 6]] ^ t[b[i + 7]];
  }
  for (; i < to; i++) c = t[(c ^ b[i]) & 0xff] ^ (c >>> 8);
  return c;
}

/** Slicing-by-16 on aligned little-endian 32-bit words. */
function crc32Words(t: Int32Array, c: number, b: Uint8Array): number {
  const n = b.length;
  let i = Math.min(n, (4 - (b.byteOffset & 3)) & 3);
  for (let k = 0; k < i; k++) c = t[(c ^ b[k]) & 0xff] ^ (c >>> 8);
  const blocks = (n - i) >>> 4;
  if (blocks === 0) return crc32Bytes(t, c, b, i, n);
  const w = new Int32Array(b.buffer, b.byteOffset + i, blocks * 4);
  for (let j = 0, m = w.length; j < m; j += 4) {
    const a = c ^ w[j];
    const d1 = w[j + 1];
    const d2 = w[j + 2];
    const d3 = w[j + 3];
    c = t[3840 + (a & 0xff)] ^ t[3584 + ((a >>> 8) & 0xff)] ^ t[3328 + ((a >>> 16) & 0xff)] ^ t[3072 + (a >>> 24)] ^
      t[2816 + (d1 & 0xff)] ^ t[2560 + ((d1 >>> 8) & 0xff)] ^ t[2304 + ((d1 >>> 16) & 0xff)] ^ t[2048 + (d1 >>> 24)] ^
      t[1792 + (d2 & 0xff)] ^ t[1536 + ((d2 >>> 8) & 0xff)] ^ t[1280 + ((d2 >>> 16) & 0xff)] ^ t[1024 + (d2 >>> 24)] ^
      t[768 + (d3 & 0xff)] ^ t[512 + ((d3 >>> 8) & 0xff)] ^ t[256 + ((d3 >>> 16) & 0xff)] ^ t[d3 >>> 24];
  }
  i += blocks * 16;
  for (; i < n; i++) c = t[(c ^ b[i]) & 0xff] ^ (c >>> 8);
  return c;
}

/**
 * crc32Words for CRC32C with the table as a module constant rather than a
 * parameter: V8 then folds the table's address and length into the loop,
 * which measured ~2.0 GB/s against ~1.5 GB/s for the shared kernel.
 */
function crc32cWords(c: number, b: Uint8Array): number {
  const t = CRC32C_TABLE;
  const n = b.length;
  let i = Math.min(n, (4 - (b.byteOffset & 3)) & 3);
  for (let k = 0; k < i; k++) c = t[(c ^ b[k]) & 0xff] ^ (c >>> 8);
  const blocks = (n - i) >>> 4;
  if (blocks === 0) return crc32Bytes(t, c, b, i, n);
  const w = new Int32Array(b.buffer, b.byteOffset + i, blocks * 4);
  for (let j = 0, m = w.length; j < m; j += 4) {
    const a = c ^ w[j];
    const d1 = w[j + 1];
    const d2 = w[j + 2];
    const d3 = w[j + 3];
    c = t[3840 + (a & 0xff)] ^ t[3584 + ((a >>> 8) & 0xff)] ^ t[3328 + ((a >>> 16) & 0xff)] ^ t[3072 + (a >>> 24)] ^
      t[2816 + (d1 & 0xff)] ^ t[2560 + ((d1 >>> 8) & 0xff)] ^ t[2304 + ((d1 >>> 16) & 0xff)] ^ t[2048 + (d1 >>> 24)] ^
      t[1792 + (d2 & 0xff)] ^ t[1536 + ((d2 >>> 8) & 0xff)] ^ t[1280 + ((d2 >>> 16) & 0xff)] ^ t[1024 + (d2 >>> 24)] ^
      t[768 + (d3 & 0xff)] ^ t[512 + ((d3 >>> 8) & 0xff)] ^ t[256 + ((d3 >>> 16) & 0xff)] ^ t[d3 >>> 24];
  }
  i += blocks * 16;
  for (; i < n; i++) c = t[(c ^ b[i]) & 0xff] ^ (c >>> 8);
  return c;
}

interface Crc64State {
  hi: number;
  lo: number;
}

function crc64Kernel(s: Crc64State, b: Uint8Array): void {
  if (LITTLE_ENDIAN && b.length >= WORD_PATH_MIN) crc64Words(s, b);
  else crc64Bytes(s, b, 0, b.length);
}

function crc64Bytes(s: Crc64State, b: Uint8Array, from: number, to: number): void {
  const H = CRC64_HI;
  const L = CRC64_LO;
  let h = s.hi;
  let l = s.lo;
  let i = from;
  for (; i + 8 <= to; i += 8) {
    const a = l ^ (b[i] | (b[i + 1] << 8) | (b[i + 2] << 16) | (b[i + 3] << 24));
    const d = h ^ (b[i + 4] | (b[i + 5] << 8) | (b[i + 6] << 16) | (b[i + 7] << 24));
    const x0 = 1792 + (a & 0xff), x1 = 1536 + ((a >>> 8) & 0xff), x2 = 1280 + ((a >>> 16) & 0xff), x3 = 1024 + (a >>> 24);
    const x4 = 768 + (d & 0xff), x5 = 512 + ((d >>> 8) & 0xff), x6 = 256 + ((d >>> 16) & 0xff), x7 = d >>> 24;
    l = L[x0] ^ L[x1] ^ L[x2] ^ L[x3] ^ L[x4] ^ L[x5] ^ L[x6] ^ L[x7];
    h = H[x0] ^ H[x1] ^ H[x2] ^ H[x3] ^ H[x4] ^ H[x5] ^ H[x6] ^ H[x7];
  }
  for (; i < to; i++) {
    const x = (l ^ b[i]) & 0xff;
    l = ((l >>> 8) | (h << 24)) ^ L[x];
    h = (h >>> 8) ^ H[x];
  }
  s.hi = h;
  s.lo = l;
}

/** Slicing-by-8 on aligned little-endian words: the low word meets the register's low half. */
function crc64Words(s: Crc64State, b: Uint8Array): void {
  const n = b.length;
  const head = Math.min(n, (4 - (b.byteOffset & 3)) & 3);
  crc64Bytes(s, b, 0, head);
  const H = CRC64_HI;
  const L = CRC64_LO;
  let h = s.hi;
  let l = s.lo;
  const blocks = (n - head) >>> 3;
  if (blocks === 0) return crc64Bytes(s, b, head, n);
  const w = new Int32Array(b.buffer, b.byteOffset + head, blocks * 2);
  for (let j = 0, m = w.length; j < m; j += 2) {
    const a = l ^ w[j];
    const d = h ^ w[j + 1];
    const x0 = 1792 + (a & 0xff), x1 = 1536 + ((a >>> 8) & 0xff), x2 = 1280 + ((a >>> 16) & 0xff), x3 = 1024 + (a >>> 24);
    const x4 = 768 + (d & 0xff), x5 = 512 + ((d >>> 8) & 0xff), x6 = 256 + ((d >>> 16) & 0xff), x7 = d >>> 24;
    l = L[x0] ^ L[x1] ^ L[x2] ^ L[x3] ^ L[x4] ^ L[x5] ^ L[x6] ^ L[x7];
    h = H[x0] ^ H[x1] ^ H[x2] ^ H[x3] ^ H[x4] ^ H[x5] ^ H[x6] ^ H[x7];
  }
  s.hi = h;
  s.lo = l;
  crc64Bytes(s, b, head + blocks * 8, n);
}

/**
 * The kernels behind the hashers, for tests only: the portable byte-read
 * paths (what big-endian hosts run) beside the word paths, with the same
 * register conventions (un-inverted int32 state).
 */
export const _kernelsForTests = {
  crc32cBytes: (state: number, b: Uint8Array): number => crc32Bytes(CRC32C_TABLE, state, b, 0, b.length),
  crc32cWords: (state: number, b: Uint8Array): number => crc32cWords(state, b),
  crc32Bytes: (state: number, b: Uint8Array): number => crc32Bytes(CRC32_TABLE, state, b, 0, b.length),
  crc32Words: (state: number, b: Uint8Array): number => crc32Words(CRC32_TABLE, state, b),
  crc64Bytes: (s: Crc64State, b: Uint8Array): void => crc64Bytes(s, b, 0, b.length),
  crc64Words: (s: Crc64State, b: Uint8Array): void => crc64Words(s, b),
  littleEndian: LITTLE_ENDIAN,
  nativeCrc32: NATIVE_CRC32 !== undefined,
};
