import assert from 'node:assert/strict';
import { rmSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { chunksOf, openLayer, readAll, seededBytes, takeOffline, tempDrives } from '../helpers/drives.js';

const OBJECTS = [0, 1, 5000, 300_000, 3 * 1024 * 1024 + 17].map((size, i) => ({ key: `k${i}/${size}`, data: seededBytes(size, i + 100) }));

async function seed(drives: string[], parity: number) {
  const layer = await openLayer(drives, parity);
  await layer.makeBucket('bkt');
  for (const o of OBJECTS) await layer.putObject('bkt', o.key, chunksOf(o.data));
  await layer.close();
}

async function assertAllReadable(drives: string[], parity: number) {
  const layer = await openLayer(drives, parity);
  try {
    for (const o of OBJECTS) assert.ok((await readAll((await layer.getObject('bkt', o.key)).body)).equals(o.data), o.key);
    const listed = new Set((await layer.listObjects('bkt')).objects.map((x) => x.key));
    for (const o of OBJECTS) assert.ok(listed.has(o.key), `${o.key} is listed`);
  } finally {
    await layer.close();
  }
}

function wipe(path: string) {
  for (const entry of readdirSync(path)) rmSync(join(path, entry), { recursive: true, force: true });
}

describe('quorum', () => {
  for (const [n, m] of [[4, 2], [6, 2], [5, 1]] as const) {
    it(`${n} drives, parity ${m}: ${m} drives wiped → every object reads, heals, and writes succeed`, async () => {
      const t = tempDrives(n);
      try {
        await seed(t.drives, m);
        for (let i = 0; i < m; i++) wipe(t.drives[(i * 2 + 1) % n]);
        await assertAllReadable(t.drives, m);
        const layer = await openLayer(t.drives, m);
        try {
          for (const o of OBJECTS) await layer.healObject('bkt', o.key);
          await layer.putObject('bkt', 'after', chunksOf(Buffer.from('written with replaced drives')));
        } finally {
          await layer.close();
        }
        // The healed drives alone (with the others offline up to m) now carry the data.
        const restore = t.drives.filter((_, i) => ![1, 3].includes(i)).slice(0, m).map(takeOffline);
        await assertAllReadable(t.drives, m);
        restore.forEach((r) => r());
      } finally {
        t.cleanup();
      }
    });

    it(`${n} drives, parity ${m}: ${m} drives offline → reads work; writes as quorum allows`, async () => {
      const t = tempDrives(n);
      try {
        await seed(t.drives, m);
        const restore = t.drives.slice(0, m).map(takeOffline);
        await assertAllReadable(t.drives, m);
        const layer = await openLayer(t.drives, m);
        const k = n - m;
        const writeQuorum = k === m ? k + 1 : k;
        try {
          const put = layer.putObject('bkt', 'degraded-write', chunksOf(seededBytes(2_000_000, 5)));
          if (n - m >= writeQuorum) await put;
          else await assert.rejects(put, { code: 'XGranaryWriteQuorum', status: 503 });
        } finally {
          await layer.close();
        }
        restore.forEach((r) => r());
        const again = await openLayer(t.drives, m);
        try {
          if (n - m >= writeQuorum) assert.equal((await again.headObject('bkt', 'degraded-write')).size, 2_000_000);
          else await assert.rejects(again.headObject('bkt', 'degraded-write'), { code: 'NoSuchKey' }, 'a failed write is not half-visible');
        } finally {
          await again.close();
        }
      } finally {
        t.cleanup();
      }
    });

    it(`${n} drives, parity ${m}: ${m + 1} drives offline → typed quorum errors, nothing half-visible`, async () => {
      const t = tempDrives(n);
      try {
        await seed(t.drives, m);
        const restore = t.drives.slice(n - m - 1).map(takeOffline);
        const layer = await openLayer(t.drives, m);
        try {
          for (const o of OBJECTS) await assert.rejects(layer.getObject('bkt', o.key), { code: 'XGranaryReadQuorum', status: 503 });
          // Not an empty (or partial) listing: too few drives answer to know every key.
          await assert.rejects(layer.listObjects('bkt'), { code: 'XGranaryReadQuorum', status: 503 });
          await assert.rejects(layer.putObject('bkt', 'never', chunksOf(seededBytes(1_500_000, 9))), { code: 'XGranaryWriteQuorum' });
          await assert.rejects(layer.putObject('bkt', 'never-small', chunksOf(Buffer.from('tiny'))), { code: 'XGranaryWriteQuorum' });
        } finally {
          await layer.close();
        }
        restore.forEach((r) => r());
        await assertAllReadable(t.drives, m);
        const again = await openLayer(t.drives, m);
        try {
          await assert.rejects(again.headObject('bkt', 'never'), { code: 'NoSuchKey' });
          await assert.rejects(again.headObject('bkt', 'never-small'), { code: 'NoSuchKey' });
        } finally {
          await again.close();
        }
      } finally {
        t.cleanup();
      }
    });
  }
});
