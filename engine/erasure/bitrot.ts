/**
 * Every shard block is stored behind its hash and checked before its bytes
 * leave the engine. The hash guards against bitrot (flipped bits, torn or
 * misdirected writes), not against someone who holds the drive: a keyed or
 * cryptographic hash buys nothing here, speed does. Measured in bench/hash.ts.
 */
import { createXXHash128 } from 'hash-wasm';

export const HASH_ALGORITHM = 'xxh128' as const;
export const HASH_LEN = 16;

const hasher = await createXXHash128();

/** Synchronous; the returned array is fresh (callers keep it across awaits). */
export function blockHash(data: Uint8Array): Uint8Array {
  hasher.init();
  hasher.update(data);
  return hasher.digest('binary');
}

export function hashEquals(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
