/**
 * A process that owns the drives and writes to them concurrently until it is
 * killed: the crash test's victim. Prints `BEGIN put|del KEY SEED SIZE` before
 * each write and `ACK KEY SEED` once the engine acknowledged it.
 */
import { ErasureObjectLayer } from '../../engine/object/erasure-object-layer.js';
import { chunksOf, prng, seededBytes } from './drives.js';

const [round, ...drives] = process.argv.slice(2);
const rand = prng(Number(round) * 1_000_003 + 17);
const layer = await ErasureObjectLayer.open({ drives });
try {
  await layer.makeBucket('crash');
} catch {
  // exists from an earlier round
}
const SIZES = [0, 10, 4000, 200_000, 1_100_000, 2_600_000];
let n = 0;

async function writer(w: number): Promise<never> {
  for (;;) {
    const key = `k${Math.floor(rand() * 40)}`;
    const seed = Number(round) * 100_000 + w * 10_000 + n++;
    if (rand() < 0.15) {
      process.stdout.write(`BEGIN del ${key} ${seed} 0\n`);
      await layer.deleteObject('crash', key);
    } else {
      const size = SIZES[Math.floor(rand() * SIZES.length)];
      process.stdout.write(`BEGIN put ${key} ${seed} ${size}\n`);
      await layer.putObject('crash', key, chunksOf(seededBytes(size, seed), 65536), { size });
    }
    process.stdout.write(`ACK ${key} ${seed}\n`);
  }
}

process.stdout.write('READY\n');
await Promise.all(Array.from({ length: 6 }, (_, w) => writer(w)));
