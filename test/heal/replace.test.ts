import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import type { SweepStatus } from '../../engine/heal/heal-types.js';
import { prng, seededBytes } from '../helpers/drives.js';
import { startServer, type RunningServer } from '../helpers/server.js';
import { signedFetch } from '../helpers/signed-fetch.js';
import { admin, driveDb, get, healStatus, healSweep, makeBucket, put, shardPath, waitUntil } from './heal-helpers.js';

/**
 * A PUT/GET loop that runs until stopped: every GET of a key it or the setup
 * wrote must answer the bytes last written, whatever the healer is doing.
 */
function liveLoad(s: RunningServer, known: Map<string, Buffer>) {
  let stop = false;
  const failures: string[] = [];
  let ops = 0;
  const rand = prng(99);
  const done = (async () => {
    for (let i = 0; !stop; i++) {
      const key = `live/${i % 40}`;
      const data = seededBytes(i % 3 === 0 ? 300_000 + (i % 7) * 10_000 : 2000 + i, 1000 + i);
      try {
        await put(s, 'bkt', key, data);
        known.set(key, data);
      } catch (err) {
        failures.push(`PUT ${key}: ${(err as Error).message}`);
      }
      const keys = [...known.keys()];
      const pick = keys[Math.floor(rand() * keys.length)];
      const g = await get(s, 'bkt', pick).catch((err: Error) => ({ status: -1, body: Buffer.from(err.message) }));
      if (g.status !== 200 || !g.body.equals(known.get(pick)!)) failures.push(`GET ${pick}: ${g.status}`);
      ops += 2;
    }
  })();
  return { failures, ops: () => ops, stop: async () => { stop = true; await done; } };
}

/** Polls the rebuild of `drive` until it is done, keeping every percentage seen. */
async function followRebuild(s: RunningServer, drive: string, since: string): Promise<{ final: SweepStatus; seen: number[] }> {
  const seen: number[] = [];
  const final = await waitUntil(`rebuild of ${drive}`, async () => {
    const r = (await healStatus(s)).rebuilds.find((x) => x.drive === drive && x.startedAt >= since);
    if (!r) return undefined;
    seen.push(r.percent);
    return r.state === 'done' ? r : r.state === 'failed' ? assert.fail(`rebuild failed: ${r.lastError}`) : undefined;
  }, 300_000);
  return { final, seen };
}

function objectCount(drive: string): number {
  const db = driveDb(drive);
  try {
    return db.prepare("SELECT count(*) FROM objects WHERE bucket = 'bkt'").pluck().get() as number;
  } finally {
    db.close();
  }
}

describe('drive replacement: a blank drive in a lost one\'s place is rebuilt while reads and writes go on', () => {
  let s: RunningServer & { kill: () => Promise<void> };
  const known = new Map<string, Buffer>();
  /** A failed step must not leave the load loop running against a stopped server. */
  let stopLoad: (() => Promise<void>) | undefined;
  after(async () => {
    await stopLoad?.();
    await s?.stop();
  });

  async function checkRebuilt(drive: string, rebuild: { final: SweepStatus; seen: number[] }) {
    const { final, seen } = rebuild;
    for (let i = 1; i < seen.length; i++) assert.ok(seen[i] >= seen[i - 1], `progress went back: ${seen.join(', ')}`);
    assert.equal(final.percent, 100);
    assert.equal(final.errors, 0, final.lastError);
    assert.ok(final.objectsDone >= 60, `${final.objectsDone} objects rebuilt`);
    assert.ok(final.bytesDone > 0 && final.found.metadata > 0);
    await waitUntil('healing marker cleared', () => !existsSync(join(drive, '.granary', 'healing.json')));
  }

  async function checkAllThere(drive: string) {
    // Nothing left to repair anywhere: the rebuilt drive has every row and every shard, and they verify.
    const r = await healSweep(s, ['--deep', '--dry-run']);
    const f = r.found;
    assert.deepEqual([f.metadata, f.missing, f.truncated, f.corrupt, f.dangling], [0, 0, 0, 0, 0], JSON.stringify(f));
    assert.equal(objectCount(drive), objectCount(s.drives[0]));
    for (const [key, data] of known) {
      const g = await get(s, 'bkt', key);
      assert.ok(g.status === 200 && g.body.equals(data), key);
    }
  }

  it('restarted with a blank folder in its place', async () => {
    s = await startServer({ drives: 4 });
    await makeBucket(s, 'bkt');
    for (let i = 0; i < 60; i++) {
      const data = seededBytes(i % 4 === 0 ? 600_000 + i * 5000 : 1000 + i * 100, i + 1);
      await put(s, 'bkt', `obj/${i}`, data);
      known.set(`obj/${i}`, data);
    }
    await s.kill();
    rmSync(s.drives[1], { recursive: true, force: true });
    const since = new Date(Date.now() - 1000).toISOString();
    s = await startServer({ drives: 4, root: s.root });
    assert.match(s.output(), /was blank: formatted in place of lost drive/);
    const load = liveLoad(s, known);
    const rebuild = await followRebuild(s, s.drives[1], since).finally(load.stop);
    await load.stop();
    assert.deepEqual(load.failures, []);
    assert.ok(load.ops() > 0);
    await checkRebuilt(s.drives[1], rebuild);
    await checkAllThere(s.drives[1]);
  });

  it('emptied while the server runs', async () => {
    const load = liveLoad(s, known);
    stopLoad = load.stop;
    await waitUntil('some live traffic', () => load.ops() > 10);
    const drive = s.drives[2];
    const since = new Date().toISOString();
    // As `rm -rf drive/*` would, while the server keeps writing into it: retried where a write lands meanwhile.
    // Writes in flight may land a shard folder in data/ meanwhile: such stragglers are orphans the rebuild overwrites or leaves to collection.
    for (const entry of ['.granary', ...readdirSync(drive)]) {
      try {
        rmSync(join(drive, entry), { recursive: true, force: true, maxRetries: 5, retryDelay: 20 });
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOTEMPTY') throw err;
      }
      // Checked at once: the engine's drive watcher may format the folder again before the rest is gone.
      if (entry === '.granary') assert.ok(!existsSync(join(drive, '.granary', 'format.json')));
    }
    mkdirSync(drive, { recursive: true });
    const rebuild = await followRebuild(s, drive, since);
    await waitUntil('more live traffic after the rebuild', () => load.ops() > 40);
    await load.stop();
    assert.deepEqual(load.failures, []);
    assert.match(s.output(), /emptied while the server ran/);
    await checkRebuilt(drive, rebuild);
    await checkAllThere(drive);
  });

  it('replaced by a new path with granary admin drive replace, which a restart then follows', async () => {
    const lost = s.drives[3];
    const fresh = join(s.root, 'd5');
    const refusals: [string[], RegExp][] = [
      [[lost, s.drives[0]], /already a drive of this deployment/],
      [[join(s.root, 'd9'), fresh], /is not a drive of this deployment/],
      [[lost, fresh], /online and answering.*--force/],
    ];
    mkdirSync(join(s.root, 'busy'));
    writeFileSync(join(s.root, 'busy', 'keep.txt'), 'not a blank disk');
    refusals.push([[lost, join(s.root, 'busy')], /is not empty/]);
    for (const [args, why] of refusals) {
      const r = await admin(s, ['drive', 'replace', ...args]);
      assert.notEqual(r.code, 0, `${args.join(' ')} was accepted`);
      assert.match(r.stderr, why);
    }
    // The API takes only absolute paths: the server cannot know a caller's folder.
    const relative = await signedFetch(s, 'POST', '/granary/admin/v1/drives/replace', JSON.stringify({ old: 'd4', new: 'd5' }));
    assert.equal(relative.status, 400);
    assert.match(await relative.text(), /absolute path/);
    assert.ok(!existsSync(fresh), 'a refused replacement left a folder behind');
    assert.equal(readFileSync(join(s.root, 'busy', 'keep.txt'), 'utf8'), 'not a blank disk');

    // An unfinished multipart upload: its parts must be on the new drive too, or the object completed later lacks that drive's shards.
    const created = await signedFetch(s, 'POST', '/bkt/multi?uploads');
    assert.equal(created.status, 200);
    const uploadId = /<UploadId>([^<]+)<\/UploadId>/.exec(await created.text())![1];
    const partData = [seededBytes(5 * 1024 * 1024 + 123, 71), seededBytes(333_333, 72)];
    const etags: string[] = [];
    for (const [i, data] of partData.entries()) {
      const res = await signedFetch(s, 'PUT', `/bkt/multi?partNumber=${i + 1}&uploadId=${encodeURIComponent(uploadId)}`, data);
      assert.equal(res.status, 200, await res.text());
      etags.push(res.headers.get('etag')!);
    }

    // The disk dies: its folder goes away (a rename is atomic, so the watcher never sees it half empty).
    renameSync(lost, `${lost}.dead`);
    const load = liveLoad(s, known);
    stopLoad = load.stop;
    const since = new Date().toISOString();
    const r = await admin(s, ['drive', 'replace', '--json', lost, fresh]);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual({ old: JSON.parse(r.stdout).old, new: JSON.parse(r.stdout).new }, { old: lost, new: fresh });
    const rebuild = await followRebuild(s, fresh, since);
    await waitUntil('more live traffic after the rebuild', () => load.ops() > 20);
    await load.stop();
    assert.deepEqual(load.failures, []);
    await checkRebuilt(fresh, rebuild);
    assert.equal(rebuild.final.found.uploads, 3, 'the upload row and both parts');
    const partFiles = (drive: string) => {
      const db = driveDb(drive);
      try {
        const { dataDir } = JSON.parse(db.prepare('SELECT record FROM uploads WHERE upload_id = ?').pluck().get(uploadId) as string) as { dataDir: string };
        const numbers = db.prepare('SELECT part_number FROM parts WHERE upload_id = ? ORDER BY part_number').pluck().all(uploadId) as number[];
        return numbers.map((n) => statSync(shardPath(drive, dataDir, n)).size);
      } finally {
        db.close();
      }
    };
    assert.deepEqual(partFiles(fresh), partFiles(s.drives[0]));
    const xml = `<CompleteMultipartUpload>${etags.map((e, i) => `<Part><PartNumber>${i + 1}</PartNumber><ETag>${e}</ETag></Part>`).join('')}</CompleteMultipartUpload>`;
    const completed = await signedFetch(s, 'POST', `/bkt/multi?uploadId=${encodeURIComponent(uploadId)}`, xml);
    assert.equal(completed.status, 200, await completed.text());
    known.set('multi', Buffer.concat(partData));
    await checkAllThere(fresh);

    // The service file still names the dead path: the restart uses the replacement and says so.
    await s.kill();
    s = await startServer({ drives: 4, root: s.root });
    assert.match(s.output(), new RegExp(`drive ${lost} was replaced by ${fresh}`));
    assert.ok(!existsSync(lost), 'the restart recreated the replaced path');
    // granary admin health: the human table, and JSON for scripts.
    const human = await admin(s, ['health']);
    assert.equal(human.code, 0, human.stderr);
    assert.match(human.stdout, /^State: +healthy$/m);
    assert.match(human.stdout, /Set 1 \(2 data \+ 2 parity\): healthy, can lose 1 more drive and keep writing/);
    assert.match(human.stdout, new RegExp(`^${fresh.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} +online `, 'm'));
    const json = await admin(s, ['health', '--json']);
    assert.equal(json.code, 0, json.stderr);
    const snap = JSON.parse(json.stdout) as { sets: { drives: { path: string | null; state: string }[] }[] };
    assert.deepEqual(snap.sets[0].drives.map((d) => d.path).sort(), [s.drives[0], s.drives[1], s.drives[2], fresh].sort());
    assert.ok(snap.sets[0].drives.every((d) => d.state === 'online'), json.stdout);
    for (const [key, data] of known) {
      const g = await get(s, 'bkt', key);
      assert.ok(g.status === 200 && g.body.equals(data), key);
    }
  });
});
