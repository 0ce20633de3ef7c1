import { mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ErasureObjectLayer } from '../../engine/object/erasure-object-layer.js';

/** N empty drive folders under one temporary root, removed by `cleanup`. */
export function tempDrives(n: number, label = 'granary'): { root: string; drives: string[]; cleanup: () => void } {
  const root = mkdtempSync(join(tmpdir(), `${label}-`));
  const drives = Array.from({ length: n }, (_, i) => join(root, `d${i + 1}`));
  return { root, drives, cleanup: () => rmSync(root, { recursive: true, force: true }) };
}

/** Replaces the drive folder by a plain file, so every operation on it fails; the function returned puts it back. */
export function takeOffline(path: string): () => void {
  renameSync(path, `${path}.away`);
  writeFileSync(path, 'not a drive');
  return () => {
    rmSync(path);
    renameSync(`${path}.away`, path);
  };
}

export async function openLayer(drives: string[], parity?: number): Promise<ErasureObjectLayer> {
  return ErasureObjectLayer.open({ drives, ...(parity !== undefined ? { parity } : {}) });
}

export async function* chunksOf(data: Uint8Array, chunk = 64 * 1024): AsyncGenerator<Uint8Array> {
  for (let i = 0; i < data.length; i += chunk) yield data.subarray(i, Math.min(i + chunk, data.length));
}

/** A GetResult body (a Buffer for a small object, else a stream) or any chunk stream, whole. */
export async function readAll(stream: AsyncIterable<Uint8Array> | Buffer): Promise<Buffer> {
  if (Buffer.isBuffer(stream)) return stream;
  const parts: Buffer[] = [];
  for await (const c of stream) parts.push(Buffer.from(c));
  return Buffer.concat(parts);
}

/** Deterministic bytes: a failure reproduces. */
export function seededBytes(n: number, seed: number): Buffer {
  const out = Buffer.allocUnsafe(n);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    x ^= x << 13; x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5; x >>>= 0;
    out[i] = x & 0xff;
  }
  return out;
}

/** A small seeded PRNG for property tests. */
export function prng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13; s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5; s >>>= 0;
    return s / 0x100000000;
  };
}
