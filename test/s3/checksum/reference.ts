/**
 * Slow, obviously-correct references the fast code is tested against:
 * bit-at-a-time CRCs on BigInt, and GF(2) polynomial arithmetic on BigInt.
 */
import { randomBytes } from 'node:crypto';

export interface CrcSpec {
  width: 32 | 64;
  /** Reflected polynomial. */
  poly: bigint;
}

export const REF_SPECS = {
  CRC32: { width: 32, poly: 0xedb88320n },
  CRC32C: { width: 32, poly: 0x82f63b78n },
  CRC64NVME: { width: 64, poly: 0x9a6c9329ac4bc9b5n },
} as const satisfies Record<string, CrcSpec>;

/** Reflected CRC, init = xorout = all ones, one bit at a time; big-endian digest. */
export function refCrc(spec: CrcSpec, bytes: Uint8Array): Buffer {
  const mask = (1n << BigInt(spec.width)) - 1n;
  let c = mask;
  for (const byte of bytes) {
    c ^= BigInt(byte);
    for (let k = 0; k < 8; k++) c = c & 1n ? (c >> 1n) ^ spec.poly : c >> 1n;
  }
  c ^= mask;
  const out = Buffer.alloc(spec.width / 8);
  if (spec.width === 64) out.writeBigUInt64BE(c);
  else out.writeUInt32BE(Number(c));
  return out;
}

/**
 * crc(A ‖ B) from crc(A), crc(B), |B| on BigInt: advances crc(A)'s register
 * through |B| zero bytes by square-and-multiply of x^8 in GF(2)[x]/P.
 */
export function refCombine(spec: CrcSpec, crcA: Buffer, crcB: Buffer, lengthB: bigint): Buffer {
  const w = BigInt(spec.width);
  const top = 1n << (w - 1n); // x^0 in reflected form
  const mulmod = (a: bigint, b: bigint): bigint => {
    let p = 0n;
    for (let i = w - 1n; i >= 0n; i--) {
      if ((a >> i) & 1n) p ^= b;
      b = b & 1n ? (b >> 1n) ^ spec.poly : b >> 1n;
    }
    return p;
  };
  let result = top;
  let base = top >> 8n; // x^8
  for (let n = lengthB; n > 0n; n >>= 1n) {
    if (n & 1n) result = mulmod(result, base);
    base = mulmod(base, base);
  }
  const read = (d: Buffer): bigint => (spec.width === 64 ? d.readBigUInt64BE(0) : BigInt(d.readUInt32BE(0)));
  const v = mulmod(result, read(crcA)) ^ read(crcB);
  const out = Buffer.alloc(spec.width / 8);
  if (spec.width === 64) out.writeBigUInt64BE(v);
  else out.writeUInt32BE(Number(v));
  return out;
}

/** A small deterministic PRNG (xorshift32) so failures reproduce. */
export function rng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s / 0x100000000;
  };
}

export function randomData(n: number): Buffer {
  return randomBytes(n);
}

/** `n` bytes at byte offset `offset` of a fresh ArrayBuffer (to exercise misaligned views). */
export function atOffset(data: Uint8Array, offset: number): Uint8Array {
  const backing = new Uint8Array(data.length + offset + 8);
  backing.set(data, offset);
  return backing.subarray(offset, offset + data.length);
}
