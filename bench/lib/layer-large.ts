import { Readable } from 'node:stream';
import type { ErasureObjectLayer } from '../../engine/object/erasure-object-layer.js';

const MiB = 1024 * 1024;

async function* chunks(b: Uint8Array, size = 256 * 1024) {
  for (let i = 0; i < b.length; i += size) yield b.subarray(i, i + size);
}

/**
 * `count` PUTs of `payload` straight into an ObjectLayer (bucket `bench`,
 * keys `large/ROUND/i`), then as many GETs of them drained: MB/s of each.
 * The figures the storage bench reports and the S3 bench compares HTTP with.
 */
export async function layerLarge(layer: ErasureObjectLayer, payload: Uint8Array, count: number, round: number): Promise<{ put: number; get: number }> {
  let start = performance.now();
  for (let i = 0; i < count; i++) await layer.putObject('bench', `large/${round}/${i}`, chunks(payload), { size: payload.length });
  const put = (count * payload.length) / MiB / ((performance.now() - start) / 1000);
  start = performance.now();
  for (let i = 0; i < count; i++) {
    const { body } = await layer.getObject('bench', `large/${round}/${i}`);
    if (body instanceof Readable) for await (const _ of body) void _;
  }
  const get = (count * payload.length) / MiB / ((performance.now() - start) / 1000);
  return { put, get };
}
