import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, statSync, truncateSync, utimesSync, writeFileSync, rmSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { HealCounts, SweepStatus } from '../../engine/heal/heal-types.js';
import { seededBytes } from '../helpers/drives.js';
import { startServer, type RunningServer } from '../helpers/server.js';
import { signedFetch } from '../helpers/signed-fetch.js';
import { admin, driveDb, get, healStatus, healSweep, makeBucket, put, recordOn, shardPath } from './heal-helpers.js';

type Kind = 'metadata' | 'missing' | 'truncated' | 'corrupt';
const SHARD_KINDS: Kind[] = ['metadata', 'missing', 'truncated', 'corrupt'];

function counts(s: SweepStatus, which: 'found' | 'fixed'): Record<Kind | 'dangling' | 'stale' | 'orphans' | 'staging', number> {
  const c: HealCounts = s[which];
  return { metadata: c.metadata, missing: c.missing, truncated: c.truncated, corrupt: c.corrupt, dangling: c.dangling, stale: c.stale, orphans: c.orphans, staging: c.staging };
}

function expect(partial: Partial<Record<Kind | 'dangling' | 'stale' | 'orphans' | 'staging', number>>) {
  return { metadata: 0, missing: 0, truncated: 0, corrupt: 0, dangling: 0, stale: 0, orphans: 0, staging: 0, ...partial };
}

describe('heal sweep: damaged shards and rows across drives are found, counted and repaired', () => {
  let s: RunningServer;
  const objects: { key: string; data: Buffer; inline: boolean }[] = [];
  const damage: { key: string; slot: number; kind: Kind; file: boolean }[] = [];

  before(async () => {
    s = await startServer({ drives: 4 });
    await makeBucket(s, 'bkt');
    for (let i = 0; i < 24; i++) objects.push({ key: `small/${i}`, data: seededBytes(100 + i * 331, i + 1), inline: true });
    for (let j = 0; j < 8; j++) objects.push({ key: `large/${j}`, data: seededBytes(400_000 + j * 260_000, 100 + j), inline: false });
    for (const o of objects) await put(s, 'bkt', o.key, o.data);
  });
  after(async () => { await s?.stop(); });

  function damageInline(key: string, slot: number, kind: Kind): void {
    const db = driveDb(s.drives[slot]);
    try {
      const { versionId } = recordOn(s.drives[slot], 'bkt', key);
      const blob = db.prepare('SELECT data FROM inline_data WHERE bucket = ? AND key = ? AND version_id = ?').pluck().get('bkt', key, versionId) as Buffer;
      if (kind === 'corrupt') {
        const bad = Buffer.from(blob);
        bad[bad.length - 3] ^= 0x10;
        db.prepare('UPDATE inline_data SET data = ? WHERE bucket = ? AND key = ? AND version_id = ?').run(bad, 'bkt', key, versionId);
      } else if (kind === 'truncated') {
        db.prepare('UPDATE inline_data SET data = ? WHERE bucket = ? AND key = ? AND version_id = ?').run(blob.subarray(0, blob.length >> 1), 'bkt', key, versionId);
      } else if (kind === 'missing') {
        db.prepare('DELETE FROM inline_data WHERE bucket = ? AND key = ?').run('bkt', key);
      } else {
        dropRows(db, key);
      }
    } finally {
      db.close();
    }
  }

  function dropRows(db: ReturnType<typeof driveDb>, key: string): void {
    for (const t of ['versions', 'objects', 'inline_data']) db.prepare(`DELETE FROM ${t} WHERE bucket = ? AND key = ?`).run('bkt', key);
  }

  function damageFile(key: string, slot: number, kind: Kind): void {
    const { dataDir } = recordOn(s.drives[slot], 'bkt', key);
    const file = shardPath(s.drives[slot], dataDir!);
    if (kind === 'corrupt') {
      const bad = readFileSync(file);
      bad[Math.floor(bad.length / 2)] ^= 0x01;
      writeFileSync(file, bad);
    } else if (kind === 'truncated') {
      truncateSync(file, statSync(file).size - 100);
    } else if (kind === 'missing') {
      rmSync(file);
    } else {
      const db = driveDb(s.drives[slot]);
      try { dropRows(db, key); } finally { db.close(); }
    }
  }

  it('damages inline and file shards of many objects on every drive', () => {
    objects.forEach((o, i) => {
      const plan: { slot: number; kind: Kind }[] = o.inline
        ? [{ slot: i % 4, kind: SHARD_KINDS[i % 4] }, ...(i % 6 === 0 ? [{ slot: (i + 1) % 4, kind: 'corrupt' as Kind }] : [])]
        : [{ slot: (i + 1) % 4, kind: SHARD_KINDS[1 + (i % 3)] }, ...(i % 4 === 3 ? [{ slot: (i + 2) % 4, kind: 'metadata' as Kind }] : [])];
      for (const p of plan) {
        if (o.inline) damageInline(o.key, p.slot, p.kind);
        else damageFile(o.key, p.slot, p.kind);
        damage.push({ key: o.key, ...p, file: !o.inline });
      }
    });
    // Every kind is exercised on both kinds of storage (a missing row of a file object too).
    for (const k of SHARD_KINDS) assert.ok(damage.some((d) => d.kind === k && d.file) && damage.some((d) => d.kind === k && !d.file), k);
  });

  const tally = (filter: (d: (typeof damage)[number]) => boolean) => {
    const out: Partial<Record<Kind, number>> = {};
    for (const d of damage.filter(filter)) out[d.kind] = (out[d.kind] ?? 0) + 1;
    return expect(out);
  };

  it('a deep dry run reports every damaged shard and row, and changes nothing', async () => {
    const truncated = damage.find((d) => d.file && d.kind === 'truncated')!;
    const file = shardPath(s.drives[truncated.slot], recordOn(s.drives[truncated.slot], 'bkt', truncated.key).dataDir!);
    const before = statSync(file).size;
    const r = await healSweep(s, ['--deep', '--dry-run']);
    assert.equal(r.state, 'done');
    assert.deepEqual(counts(r, 'found'), tally(() => true));
    assert.deepEqual(counts(r, 'fixed'), expect({}));
    assert.equal(r.fixed.objects, 0);
    assert.equal(statSync(file).size, before, 'the dry run left the short shard as it was');
  });

  it('a quick sweep repairs all but bitrot inside shard files, and counts exactly that', async () => {
    const r = await healSweep(s);
    const want = tally((d) => !(d.file && d.kind === 'corrupt'));
    assert.deepEqual(counts(r, 'found'), want);
    assert.deepEqual(counts(r, 'fixed'), want);
    assert.equal(r.errors, 0);
    assert.equal(r.percent, 100);
    assert.ok(r.found.objects >= objects.length);
  });

  it('a deep sweep finds the flipped bits in shard files and repairs them', async () => {
    const r = await healSweep(s, ['--deep']);
    assert.deepEqual(counts(r, 'found'), tally((d) => d.file && d.kind === 'corrupt'));
    assert.deepEqual(counts(r, 'fixed'), tally((d) => d.file && d.kind === 'corrupt'));
  });

  it('a second deep sweep finds nothing, and every object reads back intact', async () => {
    const r = await healSweep(s, ['--deep']);
    assert.deepEqual(counts(r, 'found'), expect({}));
    for (const o of objects) {
      const g = await get(s, 'bkt', o.key);
      assert.equal(g.status, 200);
      assert.ok(g.body.equals(o.data), o.key);
    }
    // Each damaged shard is back, byte for byte the size of its siblings.
    for (const d of damage.filter((x) => x.file)) {
      const sizes = s.drives.map((drive) => statSync(shardPath(drive, recordOn(drive, 'bkt', d.key).dataDir!)).size);
      assert.equal(new Set(sizes).size, 1, `${d.key}: ${sizes}`);
    }
  });

  it('the status shows the last sweep', async () => {
    const st = await healStatus(s);
    assert.equal(st.sweep?.state, 'done');
    assert.equal(st.sweep?.options.deep, true);
    const text = await admin(s, ['heal', 'status']);
    assert.equal(text.code, 0, text.stderr);
    assert.match(text.stdout, /State: +done/);
    assert.match(text.stdout, /corrupt shards \(bitrot\)/);
  });
});

describe('heal sweep: dangling versions and orphans', () => {
  let s: RunningServer;
  const original = seededBytes(5000, 7);

  before(async () => {
    s = await startServer({ drives: 4, args: ['--heal-grace', '3600'] });
    await makeBucket(s, 'dang');
    await put(s, 'dang', 'kept', original);
    await put(s, 'dang', 'other', seededBytes(1_000_000, 8));
  });
  after(async () => { await s?.stop(); });

  /** A version row on one drive only, as a write that crashed before its revert leaves it. */
  function plantDangling(drive: string, key: string, supersede: boolean): string {
    const db = driveDb(drive);
    const id = randomUUID();
    try {
      const cur = db.prepare('SELECT record FROM versions WHERE bucket = ? AND key = ? AND current = 1').pluck().get('dang', 'kept') as string;
      const record = { ...JSON.parse(cur), versionId: id, mtime: Date.now() + 60_000 };
      db.transaction(() => {
        if (supersede) db.prepare('UPDATE versions SET current = 0, superseded_by = ? WHERE bucket = ? AND key = ? AND current = 1').run(id, 'dang', key);
        db.prepare('INSERT INTO versions (bucket, key, version_id, current, superseded_by, record) VALUES (?, ?, ?, 1, NULL, ?)').run('dang', key, id, JSON.stringify(record));
        db.prepare('INSERT OR REPLACE INTO objects (bucket, key, version_id, mtime, size, etag, deleted) VALUES (?, ?, ?, ?, ?, ?, 0)').run('dang', key, id, record.mtime, record.size, record.etag);
        db.prepare('INSERT INTO inline_data (bucket, key, version_id, data) VALUES (?, ?, ?, ?)').run('dang', key, id, Buffer.alloc(64, 1));
      })();
    } finally {
      db.close();
    }
    return id;
  }

  const rowsOf = (drive: string, key: string) => {
    const db = driveDb(drive);
    try {
      return db.prepare('SELECT version_id AS id, current FROM versions WHERE bucket = ? AND key = ? ORDER BY version_id').all('dang', key) as { id: string; current: number }[];
    } finally {
      db.close();
    }
  };

  it('removes versions on fewer than a read quorum of drives; reads never saw them', async () => {
    const newer = plantDangling(s.drives[0], 'kept', true);
    plantDangling(s.drives[1], 'ghost', false);
    assert.ok((await get(s, 'dang', 'kept')).body.equals(original));
    assert.equal((await get(s, 'dang', 'ghost')).status, 404);

    const before0 = rowsOf(s.drives[0], 'kept');
    const dry = await healSweep(s, ['--bucket', 'dang', '--dry-run']);
    assert.equal(dry.found.dangling, 2);
    assert.equal(dry.fixed.dangling, 0);
    assert.deepEqual(rowsOf(s.drives[0], 'kept'), before0, 'dry run changed nothing');

    const r = await healSweep(s, ['--bucket', 'dang']);
    assert.equal(r.found.dangling, 2);
    assert.equal(r.fixed.dangling, 2);
    assert.equal(r.found.metadata + r.found.missing + r.found.truncated + r.found.corrupt, 0);
    const rows = rowsOf(s.drives[0], 'kept');
    assert.equal(rows.length, 1);
    assert.notEqual(rows[0].id, newer);
    assert.equal(rows[0].current, 1, 'the version the dangling one superseded is current again');
    assert.deepEqual(rowsOf(s.drives[1], 'ghost'), []);
    assert.ok((await get(s, 'dang', 'kept')).body.equals(original));

    const again = await healSweep(s, ['--bucket', 'dang']);
    assert.deepEqual(counts(again, 'found'), expect({}));
  });

  it('collects orphaned shard folders and staging leftovers older than the grace period only', async () => {
    const d = s.drives[2];
    const hex = () => randomUUID().replaceAll('-', '');
    const mk = (dir: string, aged: boolean) => {
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, 'part.1'), 'x'.repeat(100));
      if (aged) {
        const t = new Date(Date.now() - 2 * 3600_000);
        utimesSync(dir, t, t);
      }
      return dir;
    };
    const oldName = hex();
    const newName = hex();
    const oldOrphan = mk(join(d, 'data', oldName.slice(0, 2), oldName), true);
    const newOrphan = mk(join(d, 'data', newName.slice(0, 2), newName), false);
    const oldStaging = mk(join(d, '.granary', 'tmp', randomUUID()), true);
    const newStaging = mk(join(d, '.granary', 'tmp', randomUUID()), false);
    const live = shardPath(d, recordOn(d, 'dang', 'other').dataDir!);
    const t = new Date(Date.now() - 2 * 3600_000);
    utimesSync(join(live, '..'), t, t);

    const dry = await healSweep(s, ['--dry-run']);
    assert.equal(dry.found.orphans, 1);
    assert.equal(dry.found.staging, 1);
    for (const p of [oldOrphan, newOrphan, oldStaging, newStaging]) assert.ok(existsSync(p), `dry run kept ${p}`);

    const r = await healSweep(s);
    assert.equal(r.found.orphans, 1);
    assert.equal(r.fixed.orphans, 1);
    assert.equal(r.fixed.staging, 1);
    assert.ok(!existsSync(oldOrphan) && !existsSync(oldStaging), 'old leftovers collected');
    assert.ok(existsSync(newOrphan) && existsSync(newStaging), 'young ones kept (a write may be in progress)');
    assert.ok(existsSync(live), 'an old folder a row refers to is not an orphan');
    assert.equal((await get(s, 'dang', 'other')).status, 200);
  });

  it('refuses bad input with clear errors and starts nothing', async () => {
    const before = (await healStatus(s)).sweep?.id;
    const noBucket = await admin(s, ['heal', '--bucket', 'no-such-bucket']);
    assert.equal(noBucket.code, 1);
    assert.match(noBucket.stderr, /NoSuchBucket/);
    const prefixOnly = await admin(s, ['heal', '--prefix', 'x/']);
    assert.equal(prefixOnly.code, 1);
    assert.match(prefixOnly.stderr, /InvalidInput: A prefix needs a bucket/);
    const badFlag = await admin(s, ['heal', '--deeep']);
    assert.equal(badFlag.code, 2);
    assert.match(badFlag.stderr, /heal has no flag --deeep/);
    const extra = await admin(s, ['heal', 'now']);
    assert.equal(extra.code, 2);
    const statusFlag = await admin(s, ['heal', 'status', '--deep']);
    assert.equal(statusFlag.code, 2);
    const replace = await admin(s, ['drive', 'replace', s.drives[0], join(s.root, 'new')]);
    assert.equal(replace.code, 1);
    assert.match(replace.stderr, /online and answering/);
    assert.ok(!existsSync(join(s.root, 'new')), 'a refused replacement made its folder');
    for (const body of ['{"deep":"yes"}', '{"bucket":5}', '{"dryrun":true}', '[]', 'not json']) {
      const res = await signedFetch(s, 'POST', '/granary/admin/v1/heal', body);
      assert.equal(res.status, 400, body);
      assert.equal(((await res.json()) as { Code: string }).Code, 'InvalidInput', body);
    }
    assert.equal((await healStatus(s)).sweep?.id, before, 'no sweep was started');
  });
});

describe('heal sweep: a drive whose row differs from the others in metadata only', () => {
  let s: RunningServer;
  const rowOn = (drive: string, key: string): string => {
    const db = driveDb(drive);
    try {
      return db.prepare('SELECT record FROM versions WHERE bucket = ? AND key = ? AND current = 1').pluck().get('meta', key) as string;
    } finally {
      db.close();
    }
  };

  before(async () => {
    s = await startServer({ drives: 4 });
    await makeBucket(s, 'meta');
    for (const key of ['inline', 'file']) {
      const res = await signedFetch(s, 'PUT', `/meta/${key}`, seededBytes(key === 'file' ? 700_000 : 900, 3), { headers: { 'x-amz-meta-colour': 'blue', 'x-amz-tagging': 'team=storage' } });
      assert.equal(res.status, 200, await res.text());
    }
    // As a tagging change that missed drive 3 would leave it: same version, older tags; and drive 1 with a metadata value nobody else has.
    for (const [slot, key, change] of [[3, 'inline', (r: Record<string, unknown>) => ({ ...r, tags: { team: 'old' } })], [1, 'file', (r: Record<string, unknown>) => ({ ...r, metadata: { colour: 'red' } })]] as const) {
      const db = driveDb(s.drives[slot]);
      try {
        const record = JSON.parse(rowOn(s.drives[slot], key)) as Record<string, unknown>;
        db.prepare('UPDATE versions SET record = ? WHERE bucket = ? AND key = ? AND current = 1').run(JSON.stringify(change(record)), 'meta', key);
      } finally {
        db.close();
      }
    }
  });
  after(async () => { await s?.stop(); });

  it('a dry run finds each odd row and changes nothing; a sweep rewrites it from the majority; the next finds nothing', async () => {
    const before3 = rowOn(s.drives[3], 'inline');
    const dry = await healSweep(s, ['--dry-run']);
    assert.equal(dry.found.diverged, 2);
    assert.equal(dry.found.metadata + dry.found.missing + dry.found.corrupt, 0);
    assert.equal(rowOn(s.drives[3], 'inline'), before3);

    const fix = await healSweep(s);
    assert.deepEqual([fix.found.diverged, fix.fixed.diverged], [2, 2]);
    for (const key of ['inline', 'file']) {
      const rows = s.drives.map((d) => JSON.parse(rowOn(d, key)) as { tags?: Record<string, string>; metadata: Record<string, string> });
      for (const r of rows) assert.deepEqual([r.tags, r.metadata], [rows[0].tags, rows[0].metadata], key);
      assert.deepEqual(rows[0].tags, { team: 'storage' });
    }
    const head = await signedFetch(s, 'HEAD', '/meta/file');
    assert.equal(head.headers.get('x-amz-meta-colour'), 'blue');
    const again = await healSweep(s, ['--deep']);
    assert.equal(again.found.diverged, 0);
  });
});
