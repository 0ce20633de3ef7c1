import { crc32 } from 'node:zlib';

/**
 * Which shard each set slot holds for one object: the identity rotated by a
 * hash of the name, so parity (and the extra read of a degraded GET) is spread
 * over every drive instead of landing on the last m.
 */
export function distributionFor(bucket: string, key: string, slots: number): number[] {
  const r = crc32(`${bucket}/${key}`) % slots;
  return Array.from({ length: slots }, (_, p) => (p + slots - r) % slots);
}
