import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { LocalDrive } from '../../engine/drive/local-drive.js';
import type { StoredVersion, VersionRecord } from '../../engine/drive/records.js';
import { resolveAsking } from '../../engine/erasure/resolve-asking.js';

const LAG_MS = 60;

/**
 * Stand-ins for the drives' two faces resolveAsking uses: the answer to a
 * read (released by the test) and the monitor's lagging flag, which turns
 * true LAG_MS after a read is asked and left unanswered, as DriveMonitor's does.
 */
function drives(n: number) {
  const answers: { resolve: (rows: StoredVersion[]) => void; reject: (err: Error) => void }[] = [];
  const askedAt: number[] = [];
  const answered: boolean[] = new Array(n).fill(false);
  const list = Array.from({ length: n }, (_, slot) => ({
    slot,
    health: {
      lagMs: LAG_MS,
      get lagging() { return !answered[slot] && askedAt[slot] !== undefined && performance.now() - askedAt[slot] > LAG_MS; },
    },
  }));
  const ask = (d: LocalDrive) => {
    const slot = (d as unknown as { slot: number }).slot;
    askedAt[slot] = performance.now();
    return new Promise<StoredVersion[]>((resolve, reject) => {
      answers[slot] = {
        resolve: (rows) => { answered[slot] = true; resolve(rows); },
        reject: (err) => { answered[slot] = true; reject(err); },
      };
    });
  };
  return { drives: list as unknown as LocalDrive[], ask, answers };
}

function version(versionId: string, mtime: number): StoredVersion {
  const record = { versionId, mtime, size: 1, etag: 'e', metadata: {}, erasure: { k: 2, m: 2, blockSize: 1, distribution: [1, 2, 3, 4] }, parts: [] };
  return { record: record as unknown as VersionRecord, current: true };
}

const settledWithin = async <T>(p: Promise<T>, ms: number): Promise<T | 'pending'> =>
  Promise.race([p, new Promise<'pending'>((r) => setTimeout(() => r('pending'), ms))]);

describe('resolveAsking: a key asked of every drive at once', { timeout: 10_000 }, () => {
  it('waits for every drive that is not lagging, and then knows every holder', async () => {
    const { drives: ds, ask, answers } = drives(4);
    const out = resolveAsking(ds, ask, 2, 'b/k');
    for (const slot of [0, 1, 2]) answers[slot].resolve([version('v1', 1)]);
    assert.equal(await settledWithin(out, LAG_MS / 3), 'pending', 'settled before the fourth drive answered or lagged');
    answers[3].resolve([version('v1', 1)]);
    const { resolved } = await out;
    assert.equal(resolved?.record.versionId, 'v1');
    assert.deepEqual(resolved?.holders, [true, true, true, true]);
  });

  it('goes on without a drive that lags when the others settle the verdict', async () => {
    const { drives: ds, ask, answers } = drives(4);
    const started = performance.now();
    const out = resolveAsking(ds, ask, 2, 'b/k');
    for (const slot of [0, 2, 3]) answers[slot].resolve([version('v1', 1)]);
    const { resolved, slots } = await out;
    const took = performance.now() - started;
    assert.ok(took >= LAG_MS && took < LAG_MS * 10, `took ${took.toFixed(0)} ms`);
    assert.deepEqual(resolved?.holders, [true, false, true, true]);
    assert.equal(slots[1], null);
  });

  it('waits on a lagging drive whose answer could change the verdict', async () => {
    const { drives: ds, ask, answers } = drives(4);
    const out = resolveAsking(ds, ask, 2, 'b/k');
    // One drive holds a newer version that the silent one may complete to a quorum.
    answers[0].resolve([version('v2', 2), version('v1', 1)]);
    answers[1].resolve([version('v1', 1)]);
    answers[2].resolve([version('v1', 1)]);
    assert.equal(await settledWithin(out, LAG_MS * 3), 'pending', 'settled without the drive that decides');
    answers[3].resolve([version('v2', 2), version('v1', 1)]);
    const { resolved } = await out;
    assert.equal(resolved?.record.versionId, 'v2');
  });

  it('counts a drive that fails as silent, without waiting for it to lag', async () => {
    const { drives: ds, ask, answers } = drives(4);
    const started = performance.now();
    const out = resolveAsking(ds, ask, 2, 'b/k');
    answers[0].reject(new Error('EIO'));
    for (const slot of [1, 2, 3]) answers[slot].resolve([version('v1', 1)]);
    const { resolved } = await out;
    assert.ok(performance.now() - started < LAG_MS, 'it waited for a lag');
    assert.deepEqual(resolved?.holders, [false, true, true, true]);
  });

  it('refuses with a read-quorum error when too few drives answer', async () => {
    const { drives: ds, ask, answers } = drives(4);
    const out = resolveAsking(ds, ask, 2, 'b/k');
    for (const slot of [0, 1, 2]) answers[slot].reject(new Error('EIO'));
    answers[3].resolve([version('v1', 1)]);
    await assert.rejects(out, (err: { code?: string }) => err.code === 'XGranaryReadQuorum');
  });

  it('answers null for a key no drive holds, and leaves out drives that are absent', async () => {
    const { drives: ds, ask, answers } = drives(3);
    const out = resolveAsking([...ds, null], ask, 2, 'b/k');
    for (const slot of [0, 1, 2]) answers[slot].resolve([]);
    assert.equal((await out).resolved, null);
  });
});
