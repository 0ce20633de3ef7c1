import assert from 'node:assert/strict';
import { readFileSync, truncateSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { UsageError } from '../../engine/cli/args.js';
import { parseServerArgs } from '../../engine/cli/server-command.js';
import type { HealEvent } from '../../engine/heal/heal-types.js';
import { DEFAULT_HEALER_CONFIG, Healer } from '../../engine/heal/healer.js';
import { Pacer } from '../../engine/heal/pacer.js';
import type { ErasureObjectLayer } from '../../engine/object/erasure-object-layer.js';
import { chunksOf, openLayer, seededBytes, tempDrives } from '../helpers/drives.js';
import { startServer, type RunningServer } from '../helpers/server.js';
import { get, healStatus, healSweep, makeBucket, put, recordOn, shardPath, waitUntil } from './heal-helpers.js';

describe('background scanner: repairs damage by itself at its pace', () => {
  let s: RunningServer;
  before(async () => {
    s = await startServer({ drives: 4, args: ['--scanner-interval', '1', '--scanner-pace', '20', '--scanner-io', '16', '--scanner-deep-every', '2'] });
    await makeBucket(s, 'bkt');
  });
  after(async () => { await s?.stop(); });

  it('quick cycles repair a short shard; deep cycles find bitrot in a shard file', async () => {
    const data = seededBytes(900_000, 5);
    await put(s, 'bkt', 'big', data);
    for (let i = 0; i < 10; i++) await put(s, 'bkt', `small/${i}`, seededBytes(500 + i, i));
    const short = shardPath(s.drives[0], recordOn(s.drives[0], 'bkt', 'big').dataDir!);
    const flipped = shardPath(s.drives[3], recordOn(s.drives[3], 'bkt', 'big').dataDir!);
    const goodShort = readFileSync(short);
    const goodFlipped = readFileSync(flipped);
    truncateSync(short, 10);
    const bad = Buffer.from(goodFlipped);
    bad[100] ^= 0xff;
    writeFileSync(flipped, bad);

    await waitUntil('the scanner to restore both shards', () => statSync(short).size === goodShort.length && readFileSync(flipped).equals(goodFlipped), 180_000);
    assert.ok(readFileSync(short).equals(goodShort));
    const st = await healStatus(s);
    assert.ok(st.scanner.cycles >= 2, `cycles: ${st.scanner.cycles}`);
    assert.equal(st.scanner.pace, 20);
    assert.equal(st.scanner.ioMiBps, 16);
    assert.equal(st.scan?.options.ioBytesPerSecond, 16 * 1024 * 1024, 'the cycle runs under the I/O budget');
    assert.equal(st.sweep, null, 'no on-demand sweep was involved');
    assert.ok((await get(s, 'bkt', 'big')).body.equals(data));
  });
});

describe('heal events and bad server flags', () => {
  const t = tempDrives(4, 'granary-heal-events');
  let layer: ErasureObjectLayer;
  before(async () => {
    layer = await openLayer(t.drives, 2);
    await layer.makeBucket('bkt');
  });
  after(async () => {
    await layer.close();
    t.cleanup();
  });

  it('a sweep tells its listeners: started, progress, bitrot found and repaired, finished', async () => {
    for (let i = 0; i < 5; i++) await layer.putObject('bkt', `o${i}`, chunksOf(seededBytes(700_000, i + 1)));
    const { record } = await layer.sets[0].resolveOffThread('bkt', 'o2');
    truncateSync(join(t.drives[1], 'data', record.dataDir!.slice(0, 2), record.dataDir!, 'part.1'), 5);
    const healer = new Healer(layer, { ...DEFAULT_HEALER_CONFIG, intervalSeconds: 0 });
    const events: HealEvent[] = [];
    healer.onEvent((e) => events.push(e));
    healer.start();
    const started = await healer.startSweep({ bucket: 'bkt' });
    await waitUntil('the sweep to finish', () => events.some((e) => e.type === 'heal.finished' && e.sweep.id === started.id));
    await healer.close();
    const mine = events.filter((e) => !('sweep' in e) || e.sweep.id === started.id);
    assert.equal(mine[0].type, 'heal.started');
    assert.equal(mine.at(-1)!.type, 'heal.finished');
    const bitrot = mine.filter((e) => e.type === 'heal.bitrot');
    assert.deepEqual(bitrot, [{ type: 'heal.bitrot', bucket: 'bkt', key: 'o2', drive: t.drives[1], reason: 'truncated', repaired: true }]);
    const finished = mine.at(-1)!;
    assert.ok(finished.type === 'heal.finished' && finished.sweep.fixed.truncated === 1 && finished.sweep.percent === 100);
  });

  it('a walk keeps to its I/O budget; objects that move no bytes are held only by the object pace', async () => {
    const MiB = 1024 * 1024;
    const budgeted = new Pacer(0, 8 * MiB);
    let start = performance.now();
    for (let i = 0; i < 4; i++) await budgeted.tick(MiB);
    const elapsed = performance.now() - start;
    // 4 MiB at 8 MiB/s: half a second at least, however fast the machine.
    assert.ok(elapsed >= 450, `4 MiB under an 8 MiB/s budget took ${elapsed.toFixed(0)} ms`);
    const quick = new Pacer(0, 8 * MiB);
    start = performance.now();
    for (let i = 0; i < 64; i++) await quick.tick(0);
    assert.ok(performance.now() - start < elapsed, 'quick checks were not slowed by the byte budget');
  });

  it('refuses scanner flags that are not whole numbers', () => {
    for (const flag of ['--scanner-pace', '--scanner-io', '--scanner-interval', '--scanner-deep-every', '--heal-grace']) {
      assert.throws(() => parseServerArgs([flag, 'fast', 'd1', 'd2']), (e: unknown) => e instanceof UsageError && e.message.includes(flag), flag);
      assert.throws(() => parseServerArgs([flag, '-1', 'd1', 'd2']), UsageError, flag);
    }
    assert.deepEqual(parseServerArgs(['--scanner-pace', '0', '--heal-grace', '60', 'd1', 'd2']).heal, { pace: 0, graceSeconds: 60 });
    assert.deepEqual(parseServerArgs(['--scanner-io', '8', 'd1', 'd2']).heal, { ioMiBps: 8 });
  });
});
