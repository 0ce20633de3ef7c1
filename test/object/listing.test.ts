import assert from 'node:assert/strict';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { after, before, describe, it } from 'node:test';
import { compareKeys } from '../../engine/common/key-order.js';
import type { ErasureObjectLayer } from '../../engine/object/erasure-object-layer.js';
import { chunksOf, openLayer, prng, takeOffline, tempDrives } from '../helpers/drives.js';

/** S3 listing semantics over a plain sorted array: the model the engine must match. */
function modelList(keys: string[], prefix: string, delimiter: string, after: string, maxKeys: number) {
  const entries: { key?: string; prefix?: string }[] = [];
  for (const key of keys) {
    if (!key.startsWith(prefix) || compareKeys(key, after) <= 0) continue;
    const cut = delimiter ? key.indexOf(delimiter, prefix.length) : -1;
    if (cut >= 0) {
      const cp = key.slice(0, cut + delimiter.length);
      if (cp === after || entries[entries.length - 1]?.prefix === cp) continue;
      entries.push({ prefix: cp });
    } else {
      entries.push({ key });
    }
  }
  return { page: entries.slice(0, maxKeys), truncated: entries.length > maxKeys };
}

const ALPHABET = ['a', 'b', 'c', 'é', '😀', '/', '-', 'z', '\uE000', '~', '0', 'ü/'];

function randomKey(rand: () => number): string {
  const segs = 1 + Math.floor(rand() * 4);
  const out: string[] = [];
  for (let s = 0; s < segs; s++) {
    const len = 1 + Math.floor(rand() * 3);
    let seg = '';
    for (let i = 0; i < len; i++) seg += ALPHABET[Math.floor(rand() * ALPHABET.length)];
    out.push(seg);
  }
  return out.join('/');
}

for (const [drives, parity] of [[4, 2], [20, 3]] as const) {
  describe(`listing matches the model (${drives} drives${drives > 16 ? ', two sets' : ''})`, () => {
    const t = tempDrives(drives);
    let layer: ErasureObjectLayer;
    let keys: string[] = [];
    const rand = prng(drives * 7919);

    before(async () => {
      layer = await openLayer(t.drives, parity);
      await layer.makeBucket('bkt');
      const all = new Set<string>();
      while (all.size < (drives > 16 ? 1200 : 2500)) all.add(randomKey(rand));
      const list = [...all];
      for (let i = 0; i < list.length; i += 64) {
        await Promise.all(list.slice(i, i + 64).map((k) => layer.putObject('bkt', k, chunksOf(Buffer.from(k)))));
      }
      // Deleted keys leave tombstones in the index: listing must pass over them.
      const deleted = list.filter(() => rand() < 0.15);
      for (const k of deleted) await layer.deleteObject('bkt', k);
      const gone = new Set(deleted);
      keys = list.filter((k) => !gone.has(k)).sort(compareKeys);
    });
    after(async () => {
      await layer.close();
      t.cleanup();
    });

    it('a full listing is every live key in UTF-8 byte order', async () => {
      const got: string[] = [];
      let marker = '';
      for (;;) {
        const page = await layer.listObjects('bkt', { after: marker });
        got.push(...page.objects.map((o) => o.key));
        if (!page.isTruncated) break;
        marker = page.nextMarker!;
      }
      assert.deepEqual(got, keys);
      const bytes = got.map((k) => Buffer.from(k));
      for (let i = 1; i < bytes.length; i++) assert.ok(Buffer.compare(bytes[i - 1], bytes[i]) < 0);
    });

    it('random prefixes, delimiters, markers and page sizes', async () => {
      for (let round = 0; round < 150; round++) {
        const sample = keys[Math.floor(rand() * keys.length)];
        const chars = Array.from(sample);
        const prefix = rand() < 0.3 ? '' : chars.slice(0, Math.floor(rand() * (chars.length + 1))).join('');
        const delimiter = rand() < 0.3 ? '' : rand() < 0.8 ? '/' : ALPHABET[Math.floor(rand() * ALPHABET.length)];
        const maxKeys = [1, 2, 7, 50, 1000][Math.floor(rand() * 5)];
        let after = rand() < 0.5 ? '' : keys[Math.floor(rand() * keys.length)];
        const want = modelList(keys, prefix, delimiter, after, Number.MAX_SAFE_INTEGER).page;
        const got: { key?: string; prefix?: string }[] = [];
        for (let pages = 0; ; pages++) {
          assert.ok(pages < 10_000, 'pagination ends');
          const page = await layer.listObjects('bkt', { prefix, delimiter, after, maxKeys });
          const m = modelList(keys, prefix, delimiter, after, maxKeys);
          type Entry = { key?: string; prefix?: string };
          const entries: Entry[] = [
            ...page.objects.map((o): Entry => ({ key: o.key })),
            ...page.commonPrefixes.map((p): Entry => ({ prefix: p })),
          ].sort((a, b) => compareKeys(a.key ?? a.prefix!, b.key ?? b.prefix!));
          assert.deepEqual(entries, m.page, `page after ${JSON.stringify(after)} prefix ${JSON.stringify(prefix)} delimiter ${JSON.stringify(delimiter)} max ${maxKeys}`);
          assert.equal(page.isTruncated, m.truncated);
          got.push(...entries);
          if (!page.isTruncated) break;
          after = page.nextMarker!;
          if (maxKeys === 1000) break;
        }
        if (maxKeys !== 1000) assert.deepEqual(got, want);
      }
    });

    it('max-keys 0 and a prefix that matches nothing', async () => {
      assert.deepEqual(await layer.listObjects('bkt', { maxKeys: 0 }), { objects: [], commonPrefixes: [], isTruncated: false });
      const none = await layer.listObjects('bkt', { prefix: 'no-such-prefix' });
      assert.deepEqual(none.objects, []);
      assert.equal(none.isTruncated, false);
    });
  });
}

describe('a delimiter listing over drives that disagree', () => {
  // Each drive's scan of a common prefix stops at its first live row there. A drive that missed a delete
  // stops early, at the stale row, and passes over keys the others hold: those keys are read whole.
  const t = tempDrives(4);
  after(() => t.cleanup());
  const put = (layer: ErasureObjectLayer, key: string) => layer.putObject('bkt', key, chunksOf(Buffer.from(key)));
  const dbOf = (drive: string) => join(drive, '.granary', 'meta.db');

  it('lists a prefix whose only object a stale drive passed over, and not one whose objects are all deleted', async () => {
    let layer = await openLayer(t.drives, 2);
    await layer.makeBucket('bkt');
    for (const key of ['p/a', 'p/b', 'q/a', 'r/a', 'r/b']) await put(layer, key);
    await layer.close();
    // Drive 1 misses the deletes: its p/a, q/a and r/a stay live.
    const restore = takeOffline(t.drives[0]);
    layer = await openLayer(t.drives, 2);
    for (const key of ['p/a', 'q/a', 'r/a']) await layer.deleteObject('bkt', key);
    await layer.close();
    restore();
    // r/b is deleted on drives 1 and 2 only (k = 2: a read finds it deleted) while drives 3 and 4 hold it live:
    // its delete reached drive 4, whose rows are then put back as drive 3 has them.
    const away = takeOffline(t.drives[2]);
    layer = await openLayer(t.drives, 2);
    await layer.deleteObject('bkt', 'r/b');
    await layer.close();
    away();
    const db = new Database(dbOf(t.drives[3]));
    try {
      db.prepare('ATTACH ? AS src').run(dbOf(t.drives[2]));
      for (const table of ['objects', 'versions']) {
        db.prepare(`DELETE FROM main.${table} WHERE bucket = 'bkt' AND key = 'r/b'`).run();
        db.prepare(`INSERT INTO main.${table} SELECT * FROM src.${table} WHERE bucket = 'bkt' AND key = 'r/b'`).run();
      }
    } finally {
      db.close();
    }

    layer = await openLayer(t.drives, 2);
    try {
      await assert.rejects(layer.headObject('bkt', 'r/b'), { code: 'NoSuchKey' }, 'a read finds r/b deleted');
      assert.deepEqual((await layer.headObject('bkt', 'p/b')).size, 3);
      const top = await layer.listObjects('bkt', { delimiter: '/' });
      // p/: drive 1 stops at its stale p/a and passes over p/b, which the others hold live.
      // r/: drive 1 passes over r/b; drives 3 and 4 alone would call it live, but drive 1 holds its delete.
      assert.deepEqual(top.commonPrefixes, ['p/']);
      assert.deepEqual(top.objects, []);
      assert.deepEqual((await layer.listObjects('bkt')).objects.map((o) => o.key), ['p/b']);
    } finally {
      await layer.close();
    }
  });
});
