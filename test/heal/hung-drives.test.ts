import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import type { HealthSnapshot } from '../../engine/api/health/types.js';
import { writeFormat, type FormatBody } from '../../engine/drive/format.js';
import { seededBytes } from '../helpers/drives.js';
import { startServer, type RunningServer } from '../helpers/server.js';
import { signedFetch } from '../helpers/signed-fetch.js';
import { admin, get, healStatus, healSweep, makeBucket, put, waitUntil } from './heal-helpers.js';

/**
 * Disks that hang where the engine meets a drive outside its monitor: at
 * start (reading format.json, opening the DB) and when a drive is replaced
 * (the folder offered as NEW, the lost drive as OLD). The test-only fault
 * hook (GRANARY_TEST_DRIVE_FAULTS) makes every operation on a folder wait;
 * the engine must leave that drive out within its deadline, not wait with it.
 */
const FAULT_ENV = (file: string) => ({ GRANARY_TEST_DRIVE_FAULTS: file, GRANARY_DRIVE_TIMEOUT_MS: '1500', GRANARY_DRIVE_PROBE_MS: '300' });
const HUNG = { delayMs: 600_000 };
const servers: RunningServer[] = [];

after(async () => {
  for (const s of servers) await s.stop();
});

function setFaults(file: string, drives: Record<string, object>): void {
  writeFileSync(`${file}.tmp`, JSON.stringify({ drives }));
  renameSync(`${file}.tmp`, file);
}

/** An engine on fresh drives whose fault hook file is `faults`, with bucket bkt made. */
async function faultyServer(label: string): Promise<{ s: RunningServer; faults: string; root: string }> {
  const root = mkdtempSync(join(tmpdir(), `granary-hung-${label}-`));
  const faults = join(root, 'faults.json');
  const s = await startServer({ root, env: FAULT_ENV(faults) });
  servers.push(s);
  await makeBucket(s, 'bkt');
  return { s, faults, root };
}

/** An engine run once on fresh drives to store `objects` in bucket bkt, then stopped: for a restart with a fault. */
async function storedThenStopped(label: string, objects: Map<string, Buffer>): Promise<{ root: string; faults: string; first: RunningServer }> {
  const root = mkdtempSync(join(tmpdir(), `granary-hung-${label}-`));
  const first = await startServer({ root });
  await makeBucket(first, 'bkt');
  for (const [key, data] of objects) await put(first, 'bkt', key, data);
  await first.kill();
  return { root, faults: join(root, 'faults.json'), first };
}

/**
 * `objects` stored, then a restart with drive 3 swapped for a blank folder
 * while drive 1 hangs: the blank one might stand in for either, so the start
 * must leave it unformatted.
 */
async function blankWhileHung(label: string, objects: Map<string, Buffer>): Promise<{ s: RunningServer; faults: string; hung: string; blank: string }> {
  const { root, faults, first } = await storedThenStopped(label, objects);
  const [hung, blank] = [first.drives[1], first.drives[3]];
  rmSync(blank, { recursive: true, force: true });
  mkdirSync(blank);
  setFaults(faults, { [hung]: HUNG });
  const s = await startServer({ root, env: FAULT_ENV(faults) });
  servers.push(s);
  assert.match(s.output(), new RegExp(`blank drive ${blank} left unformatted while another drive does not answer`));
  return { s, faults, hung, blank };
}

/** Every drive online in its own slot, as the start found them. */
async function everyDriveHome(s: RunningServer): Promise<void> {
  await waitUntil('every drive online in its own slot', async () => (await health(s)).sets[0].drives.every((d, slot) => d.path === s.drives[slot] && d.state === 'online'), 60_000);
}

async function rebuilt(s: RunningServer, drive: string): Promise<void> {
  await waitUntil(`the rebuild of ${drive}`, async () => (await healStatus(s)).rebuilds.find((r) => r.drive === drive && r.state === 'done'), 120_000);
}

async function health(s: RunningServer): Promise<HealthSnapshot> {
  const res = await signedFetch(s, 'GET', '/granary/admin/v1/health');
  assert.equal(res.status, 200, await res.clone().text());
  return (await res.json()) as HealthSnapshot;
}

/** Shard files (part.N) on a drive: what a rebuild writes for objects too large to be inline. */
function partFiles(drive: string): number {
  let n = 0;
  for (const top of readdirSync(join(drive, 'data'))) {
    for (const dir of readdirSync(join(drive, 'data', top))) n += readdirSync(join(drive, 'data', top, dir)).filter((f) => f.startsWith('part.')).length;
  }
  return n;
}

async function readsBack(s: RunningServer, objects: Map<string, Buffer>): Promise<void> {
  for (const [key, data] of objects) {
    const g = await get(s, 'bkt', key);
    assert.equal(g.status, 200, `GET ${key}`);
    assert.ok(g.body.equals(data), `GET ${key}: other bytes`);
  }
}

describe('disks that hang outside a running drive', () => {
  it('a drive that hangs at start is left out: the engine starts and serves, names it offline, and takes it back and heals it when it answers', { timeout: 180_000 }, async () => {
    const objects = new Map<string, Buffer>();
    for (let i = 0; i < 3; i++) {
      objects.set(`before/small-${i}`, seededBytes(1500 + i, i));
      objects.set(`before/large-${i}`, seededBytes(1024 * 1024 + i, 10 + i));
    }
    const { root, faults, first } = await storedThenStopped('start', objects);

    const hung = first.drives[2];
    setFaults(faults, { [hung]: HUNG });
    const started = Date.now();
    const s = await startServer({ root, env: FAULT_ENV(faults) });
    servers.push(s);
    // Every look at the hung drive has 1.5 s; the start must not wait for the 600 s the disk takes.
    assert.ok(Date.now() - started < 25_000, `the start took ${Date.now() - started} ms`);
    assert.match(s.output(), new RegExp(`drive ${hung} is offline: .*took over 1500 ms`));

    const snap = await health(s);
    const slot = snap.sets[0].drives.find((d) => d.path === hung);
    assert.ok(slot, `the health model names the hung drive: ${JSON.stringify(snap.sets[0].drives.map((d) => d.path))}`);
    assert.equal(slot.state, 'offline');
    assert.equal(snap.sets[0].state, 'degraded');

    await readsBack(s, objects);
    // Three drives of 2+2 are a write quorum: writes go on, without the hung drive.
    for (let i = 0; i < 2; i++) {
      const key = `while-hung/large-${i}`;
      objects.set(key, seededBytes(1024 * 1024 + 100 + i, 50 + i));
      await put(s, 'bkt', key, objects.get(key)!);
    }
    const before = partFiles(hung);
    assert.equal(before, 3, 'the hung drive missed the writes made while it hung');

    setFaults(faults, {});
    await waitUntil('the drive back online', async () => (await health(s)).sets[0].drives.find((d) => d.path === hung)?.state === 'online', 60_000);
    assert.match(s.output(), new RegExp(`drive ${hung} answers again`));
    await rebuilt(s, hung);
    assert.equal(partFiles(hung), 5, 'the rebuild wrote the shards the drive missed');
    await readsBack(s, objects);
  });

  it('two drives that hang at start leave two slots unknown: each drive takes its own slot back by its drive id once it answers, and is healed', { timeout: 180_000 }, async () => {
    const objects = new Map<string, Buffer>();
    for (let i = 0; i < 3; i++) objects.set(`large-${i}`, seededBytes(900_000 + i, 30 + i));
    const { root, faults, first } = await storedThenStopped('two', objects);

    // Drives 1 and 3 of four, each unread at start: which slot is whose cannot be told until one answers.
    const hung = [first.drives[1], first.drives[3]];
    setFaults(faults, Object.fromEntries(hung.map((d) => [d, HUNG])));
    const s = await startServer({ root, env: FAULT_ENV(faults) });
    servers.push(s);
    const before = await health(s);
    assert.deepEqual(before.sets[0].drives.map((d) => d.path), [s.drives[0], null, s.drives[2], null]);
    assert.equal(before.sets[0].state, 'read-only');
    await readsBack(s, objects);

    setFaults(faults, {});
    await everyDriveHome(s);
    for (const d of hung) assert.match(s.output(), new RegExp(`drive ${d}, not placed at start, answers with its format`));
    for (const d of hung) {
      await rebuilt(s, d);
    }
    // Writes go on once the set has its write quorum again, onto every drive.
    objects.set('after', seededBytes(800_000, 99));
    await put(s, 'bkt', 'after', objects.get('after')!);
    for (const d of s.drives) assert.equal(partFiles(d), 4, `shards on ${d}`);
    await readsBack(s, objects);
  });

  it('a blank folder at start while another drive hangs is left unformatted, then formatted in place of its lost drive once every drive answers, and rebuilt', { timeout: 180_000 }, async () => {
    const objects = new Map<string, Buffer>();
    for (let i = 0; i < 3; i++) objects.set(`large-${i}`, seededBytes(900_000 + i, 110 + i));
    const { s, faults, hung, blank } = await blankWhileHung('blank', objects);
    const before = await health(s);
    assert.deepEqual(before.sets[0].drives.map((d) => d.path), [s.drives[0], null, s.drives[2], null]);
    assert.equal(readdirSync(blank).length, 0, 'nothing was written to the blank folder while a drive was silent');
    await readsBack(s, objects);

    setFaults(faults, {});
    await everyDriveHome(s);
    assert.match(s.output(), new RegExp(`drive ${hung}, not placed at start, answers with its format`));
    assert.match(s.output(), new RegExp(`drive ${blank}, blank at start, formatted in place of lost drive`));
    for (const d of [hung, blank]) {
      await rebuilt(s, d);
    }
    assert.equal(partFiles(blank), 3, 'the rebuild wrote every object\'s shard onto the formerly blank drive');
    objects.set('after', seededBytes(800_000, 120));
    await put(s, 'bkt', 'after', objects.get('after')!);
    for (const d of s.drives) assert.equal(partFiles(d), 4, `shards on ${d}`);
    await readsBack(s, objects);
  });

  it('a blank folder left waiting that gains another deployment\'s format meanwhile is never written over', { timeout: 180_000 }, async () => {
    const objects = new Map<string, Buffer>([['large', seededBytes(600_000, 140)]]);
    const { s, faults, hung, blank } = await blankWhileHung('foreign', objects);

    // Another Granary's disk is mounted where the blank folder was.
    const ours = (JSON.parse(readFileSync(join(s.drives[0], '.granary', 'format.json'), 'utf8')) as { body: FormatBody }).body;
    await writeFormat(blank, { ...ours, deploymentId: randomUUID(), driveId: randomUUID(), sets: [[randomUUID(), randomUUID()]] }, 5000);
    const foreign = readFileSync(join(blank, '.granary', 'format.json'), 'utf8');

    setFaults(faults, {});
    await waitUntil('the hung drive back online', async () => (await health(s)).sets[0].drives[1].state === 'online', 60_000);
    await rebuilt(s, hung);
    // The watcher has had its rounds by now (every 2 s): the other deployment's drive is still its own.
    assert.equal(readFileSync(join(blank, '.granary', 'format.json'), 'utf8'), foreign);
    assert.equal((await health(s)).sets[0].drives[3].path, null);
    assert.doesNotMatch(s.output(), new RegExp(`drive ${blank}, blank at start, formatted`));
    await readsBack(s, objects);
  });

  it('a drive that hangs at start and comes back blank (its disk swapped meanwhile) is formatted in its own slot and rebuilt', { timeout: 180_000 }, async () => {
    const objects = new Map<string, Buffer>();
    for (let i = 0; i < 3; i++) objects.set(`large-${i}`, seededBytes(700_000 + i, 130 + i));
    const { root, faults, first } = await storedThenStopped('swapped', objects);

    const hung = first.drives[2];
    rmSync(hung, { recursive: true, force: true });
    mkdirSync(hung);
    setFaults(faults, { [hung]: HUNG });
    const s = await startServer({ root, env: FAULT_ENV(faults) });
    servers.push(s);
    // The one drive unread and the one slot unknown: the health model names it in that slot.
    assert.equal((await health(s)).sets[0].drives[2].path, hung);

    setFaults(faults, {});
    await waitUntil('the drive online again', async () => (await health(s)).sets[0].drives[2].state === 'online', 60_000);
    assert.match(s.output(), new RegExp(`drive ${hung}, blank at start, formatted in place of lost drive`));
    await rebuilt(s, hung);
    assert.equal(partFiles(hung), 3);
    await readsBack(s, objects);
  });

  it('granary admin drive replace: an OLD drive that hangs does not hold the call, and a NEW folder that hangs is refused with the set unchanged', { timeout: 180_000 }, async () => {
    const { s, faults, root } = await faultyServer('replace');
    const objects = new Map<string, Buffer>();
    for (let i = 0; i < 3; i++) objects.set(`obj-${i}`, seededBytes(700_000 + i, 70 + i));
    for (const [key, data] of objects) await put(s, 'bkt', key, data);

    // NEW hangs: refused within the deadline; the set keeps its drives.
    const stuck = join(root, 'stuck');
    mkdirSync(stuck);
    setFaults(faults, { [stuck]: HUNG });
    const t0 = Date.now();
    const refused = await admin(s, ['drive', 'replace', '--force', s.drives[1], stuck]);
    assert.equal(refused.code, 1, refused.stdout);
    assert.match(refused.stderr, /stuck cannot be used as a drive: .*took over 1500 ms/);
    assert.ok(Date.now() - t0 < 20_000, `the refusal took ${Date.now() - t0} ms`);
    const snap = await health(s);
    assert.deepEqual(snap.sets[0].drives.map((d) => [d.path, d.state]), s.drives.map((d) => [d, 'online']));
    await readsBack(s, objects);

    // OLD hangs (the usual reason to replace it): the call goes through once the drive's deadline passes.
    const old = s.drives[3];
    const fresh = join(root, 'fresh');
    setFaults(faults, { [old]: HUNG });
    const t1 = Date.now();
    const replaced = await admin(s, ['drive', 'replace', '--json', old, fresh]);
    assert.equal(replaced.code, 0, replaced.stderr);
    assert.ok(Date.now() - t1 < 30_000, `the replacement took ${Date.now() - t1} ms`);
    await rebuilt(s, fresh);
    assert.equal(partFiles(fresh), 3, 'every object has its shard on the new drive');
    await readsBack(s, objects);
    rmSync(stuck, { recursive: true, force: true });
  });

  it('a heal sweep while a drive hangs: its copies are counted unchecked, not damaged, and nothing is rewritten onto it', { timeout: 180_000 }, async () => {
    const { s, faults } = await faultyServer('sweep');
    const objects = new Map<string, Buffer>();
    for (let i = 0; i < 3; i++) {
      objects.set(`small-${i}`, seededBytes(3000 + i, 80 + i));
      objects.set(`large-${i}`, seededBytes(600_000 + i, 90 + i));
    }
    for (const [key, data] of objects) await put(s, 'bkt', key, data);

    const hung = s.drives[1];
    setFaults(faults, { [hung]: HUNG });
    const during = await healSweep(s);
    assert.equal(during.state, 'done');
    assert.equal(during.errors, 0, during.lastError);
    // The engine's own documents (IAM, config) are objects too: at least the six.
    assert.ok(during.found.objects >= 6, `${during.found.objects} objects`);
    assert.equal(during.found.unanswered, during.found.objects, 'each object\'s copy on the hung drive went unchecked');
    for (const kind of ['metadata', 'missing', 'truncated', 'corrupt'] as const) assert.equal(during.found[kind], 0, `${kind}: the hung drive was judged`);
    await readsBack(s, objects);

    setFaults(faults, {});
    await waitUntil('the drive back online', async () => (await health(s)).sets[0].drives.find((d) => d.path === hung)?.state === 'online', 60_000);
    const afterwards = await healSweep(s);
    assert.equal(afterwards.found.unanswered, 0);
    assert.equal(afterwards.found.metadata + afterwards.found.missing, 0, 'nothing was lost on the drive while it hung');
  });
});
