import assert from 'node:assert/strict';
import Database from 'better-sqlite3';
import { readFileSync, writeFileSync, truncateSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { ErasureObjectLayer } from '../../engine/object/erasure-object-layer.js';
import { chunksOf, openLayer, prng, readAll, seededBytes, tempDrives } from '../helpers/drives.js';

describe('bitrot: a damaged shard is detected, served around and healed', () => {
  const t = tempDrives(4);
  let layer: ErasureObjectLayer;
  const objects = [
    { key: 'inline', data: seededBytes(3000, 1) },
    { key: 'one-block', data: seededBytes(700_000, 2) },
    { key: 'blocks', data: seededBytes(3 * 1024 * 1024 + 99, 3) },
  ];
  const rand = prng(42);

  before(async () => {
    layer = await openLayer(t.drives, 2);
    await layer.makeBucket('bkt');
    for (const o of objects) await layer.putObject('bkt', o.key, chunksOf(o.data));
  });
  after(async () => {
    await layer.close();
    t.cleanup();
  });

  async function shardFile(key: string, slot: number, part = 1): Promise<string | null> {
    const { record } = await layer.sets[0].resolveOffThread('bkt', key);
    if (!record.dataDir) return null;
    return join(t.drives[slot], 'data', record.dataDir.slice(0, 2), record.dataDir, `part.${part}`);
  }

  async function inlineBlob(key: string, slot: number): Promise<{ read: () => Buffer; write: (b: Buffer) => void }> {
    const { record } = await layer.sets[0].resolveOffThread('bkt', key);
    const db = new Database(join(t.drives[slot], '.granary', 'meta.db'));
    return {
      read: () => db.prepare('SELECT data FROM inline_data WHERE bucket = ? AND key = ? AND version_id = ?').pluck().get('bkt', key, record.versionId) as Buffer,
      write: (b: Buffer) => { db.prepare('UPDATE inline_data SET data = ? WHERE bucket = ? AND key = ? AND version_id = ?').run(b, 'bkt', key, record.versionId); db.close(); },
    };
  }

  for (const damage of ['flip', 'truncate', 'delete'] as const) {
    it(`${damage}: every object, every drive`, async () => {
      for (const o of objects) {
        for (let slot = 0; slot < 4; slot++) {
          const file = await shardFile(o.key, slot);
          let original: Buffer;
          if (file) {
            original = readFileSync(file);
            if (damage === 'flip') {
              const bad = Buffer.from(original);
              bad[Math.floor(rand() * bad.length)] ^= 1 << Math.floor(rand() * 8);
              writeFileSync(file, bad);
            } else if (damage === 'truncate') {
              truncateSync(file, Math.floor(original.length / 2));
            } else {
              rmSync(file);
            }
          } else {
            const blob = await inlineBlob(o.key, slot);
            original = Buffer.from(blob.read());
            const bad = Buffer.from(original);
            if (damage === 'flip') bad[Math.floor(rand() * bad.length)] ^= 0x80;
            blob.write(damage === 'flip' ? bad : bad.subarray(0, damage === 'truncate' ? bad.length >> 1 : 0));
          }

          // Metadata reads of one event-loop turn share a snapshot (LocalDrive): a change made
          // outside the engine's writer, as this damage is, shows from the next turn on.
          await new Promise((r) => setImmediate(r));
          const got = await readAll((await layer.getObject('bkt', o.key)).body);
          assert.ok(got.equals(o.data), `${o.key} reads correctly with slot ${slot} damaged (${damage})`);
          // A read that met the bad shard queued its heal; a parity shard a read skipped is found by healObject.
          await layer.healIdle();
          const report = await layer.healObject('bkt', o.key);
          assert.ok(report.healed.length === 0 || (report.healed.length === 1 && report.healed[0].drive === t.drives[slot]), JSON.stringify(report));
          assert.deepEqual((await layer.healObject('bkt', o.key)).healed, []);

          const restored = file ? readFileSync(file) : (await inlineBlob(o.key, slot)).read();
          assert.ok(Buffer.from(restored).equals(original), `${o.key} slot ${slot} shard restored byte for byte`);
        }
      }
    });
  }

  it('a rebuild that meets a corrupt source mid-object reads another and rebuilds the lost shard exactly', async () => {
    // Several spans of blocks (a rebuild decodes a span at a time), the damage in a later one.
    const data = seededBytes(11 * 1024 * 1024 + 5, 4);
    await layer.putObject('bkt', 'spans', chunksOf(data));
    const dist = (await layer.sets[0].resolveOffThread('bkt', 'spans')).record.erasure.distribution;
    const lost = dist.indexOf(0);
    const rotten = dist.indexOf(1); // a data shard: the rebuild's first choice of source beside the parity
    const lostFile = (await shardFile('spans', lost))!;
    const rottenFile = (await shardFile('spans', rotten))!;
    const [lostOriginal, rottenOriginal] = [readFileSync(lostFile), readFileSync(rottenFile)];
    const bad = Buffer.from(rottenOriginal);
    bad[bad.length - 1000] ^= 0x10;
    writeFileSync(rottenFile, bad);
    rmSync(lostFile);
    await new Promise((r) => setImmediate(r));

    // The set's quick heal (the layer's always checks deep): the corrupt shard is used as a source, not found beforehand.
    const quick = await layer.sets[0].healObject('bkt', 'spans', { deep: false });
    assert.deepEqual(quick.healed, [{ slot: lost, reason: 'missing' }]);
    assert.ok(readFileSync(lostFile).equals(lostOriginal), 'the lost shard rebuilt byte for byte around the corrupt source');
    assert.ok(readFileSync(rottenFile).equals(bad), 'a quick heal does not look inside the shard it did not rebuild');
    const deep = await layer.healObject('bkt', 'spans');
    assert.deepEqual(deep.healed.map((h) => [h.drive, h.reason]), [[t.drives[rotten], 'corrupt']]);
    assert.ok(readFileSync(rottenFile).equals(rottenOriginal));
    assert.ok((await readAll((await layer.getObject('bkt', 'spans')).body)).equals(data));
  });

  it('healObject reports exactly what it rewrote', async () => {
    const file = (await shardFile('blocks', 2))!;
    const original = readFileSync(file);
    const bad = Buffer.from(original);
    bad[original.length - 1] ^= 0xff;
    writeFileSync(file, bad);
    rmSync((await shardFile('blocks', 0))!);
    const report = await layer.healObject('bkt', 'blocks');
    assert.deepEqual(report.healed.map((h) => [h.drive, h.reason]).sort(), [[t.drives[0], 'missing'], [t.drives[2], 'corrupt']].sort());
    assert.ok(readFileSync(file).equals(original));
    assert.deepEqual((await layer.healObject('bkt', 'blocks')).healed, []);
  });
});
