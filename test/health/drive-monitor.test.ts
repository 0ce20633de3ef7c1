import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DriveError } from '../../engine/drive/drive-error.js';
import { DriveMonitor } from '../../engine/drive/drive-monitor.js';

const eio = () => Promise.reject(Object.assign(new Error('EIO: i/o error'), { code: 'EIO' }));

test('an offline drive gets no synchronous operation until its probe brings it back', async () => {
  let answering = false;
  const monitor = new DriveMonitor('/nonexistent/granary-drive', { timeoutMs: 1_000, failLimit: 2, probeMs: 60_000 }, async () => {
    if (!answering) throw new Error('still not answering');
  });
  let touched = 0;
  const read = () => monitor.runSync('read', 'metadata read', () => ++touched);

  assert.equal(read(), 1, 'online: the read runs');
  await assert.rejects(monitor.run('read', 'shard read', eio));
  assert.equal(read(), 2, 'one failure is not enough to stop reading it');
  await assert.rejects(monitor.run('read', 'shard read', eio));
  assert.equal(monitor.online, false);

  const countersBefore = monitor.status().counters;
  assert.throws(read, (e: unknown) => e instanceof DriveError && e.kind === 'offline' && e.message.includes('metadata read'));
  assert.throws(() => monitor.runSync('write', 'staging', () => ++touched), (e: unknown) => e instanceof DriveError && e.kind === 'offline');
  assert.equal(touched, 2, 'neither operation touched the drive');
  assert.deepEqual(monitor.status().counters, countersBefore, 'refusing them is not another failure of the drive');

  // The probe runs at start and then every probeMs; a fresh start stands in for the next tick.
  answering = true;
  monitor.start();
  try {
    for (let i = 0; i < 50 && !monitor.online; i++) await new Promise((r) => setTimeout(r, 20));
    assert.equal(monitor.online, true, 'the probe answered');
    assert.equal(read(), 3, 'back online, reads reach it again');
  } finally {
    monitor.stop();
  }
});

test('a synchronous operation that held the thread past the budget answers, and takes the drive offline at once', () => {
  const monitor = new DriveMonitor('/nonexistent/granary-drive', { timeoutMs: 30, failLimit: 3, probeMs: 60_000 }, async () => undefined);
  let touched = 0;
  const stall = () => monitor.runSync('read', 'metadata read', () => {
    touched++;
    const until = performance.now() + 40;
    while (performance.now() < until); // a read() stuck on the disk
    return 'row';
  });
  assert.equal(monitor.runSync('read', 'metadata read', () => 'row'), 'row');
  assert.equal(monitor.status().counters.timeouts, 0, 'a quick read is no timeout');
  assert.equal(stall(), 'row', 'the stalled read still answers');
  assert.equal(monitor.status().counters.timeouts, 1);
  assert.equal(monitor.status().lastError?.kind, 'timeout');
  assert.match(monitor.status().lastError!.message, /held the engine for \d+ ms \(budget 30 ms\)/);
  // It held every request of the engine with it: not failLimit of those.
  assert.equal(monitor.online, false, 'one is enough to take the drive offline');
  assert.throws(stall, (e: unknown) => e instanceof DriveError && e.kind === 'offline');
  assert.equal(touched, 1, 'the next read did not touch it');
});

test('a drive whose async operation ran out of time gets no synchronous operation until one answers', async () => {
  let answering = false;
  const monitor = new DriveMonitor('/nonexistent/granary-drive', { timeoutMs: 30, failLimit: 3, probeMs: 60_000 }, async () => {
    if (!answering) throw new Error('still not answering');
  });
  let touched = 0;
  const read = () => monitor.runSync('read', 'metadata read', () => ++touched);
  const hang = () => new Promise<never>(() => undefined);

  assert.equal(read(), 1);
  await assert.rejects(monitor.run('write', 'commit', hang), (e: unknown) => e instanceof DriveError && e.kind === 'timeout');
  // The disk may hang, and a synchronous read cannot be cut short: it is not asked, the request goes on without it.
  assert.throws(read, (e: unknown) => e instanceof DriveError && e.kind === 'timeout' && e.message.includes('metadata read'));
  assert.throws(() => monitor.runSync('write', 'staging', () => ++touched), (e: unknown) => e instanceof DriveError && e.kind === 'timeout');
  assert.equal(touched, 1, 'neither touched the drive');
  assert.equal(monitor.status().counters.timeouts, 1, 'refusing them is not another failure');
  assert.equal(monitor.online, true, 'one timeout does not take it offline');

  // An async operation that answers clears the suspicion.
  assert.equal(await monitor.run('read', 'shard read', async () => 'frame'), 'frame');
  assert.equal(read(), 2);

  // So does the probe, for a drive nothing else asks.
  await assert.rejects(monitor.run('write', 'commit', hang));
  assert.throws(read);
  answering = true;
  monitor.start();
  try {
    let got: number | undefined;
    for (let i = 0; i < 50 && got === undefined; i++) {
      try { got = read(); } catch { await new Promise((r) => setTimeout(r, 20)); }
    }
    assert.equal(got, 3, 'the probe answered, and reads reach the drive again');
    assert.equal(monitor.online, true);
  } finally {
    monitor.stop();
  }
});

test('a drive with an operation unanswered for a quarter of its deadline is lagging, until it answers or runs out of time', async () => {
  const monitor = new DriveMonitor('/nonexistent/granary-drive', { timeoutMs: 400, failLimit: 3, probeMs: 60_000 }, async () => undefined);
  let answer: (v: string) => void = () => undefined;
  const slow = monitor.run('write', 'commit', () => new Promise<string>((r) => { answer = r; }));
  assert.equal(monitor.lagging, false, 'just started');
  await new Promise((r) => setTimeout(r, 150));
  assert.equal(monitor.lagging, true, '150 ms unanswered, past 400 / 4');
  // Quick operations meanwhile do not hide the slow one.
  assert.equal(await monitor.run('read', 'shard read', async () => 'frame'), 'frame');
  assert.equal(monitor.lagging, true);
  answer('done');
  assert.equal(await slow, 'done');
  assert.equal(monitor.lagging, false, 'answered');
  assert.deepEqual(monitor.status().counters, { ioErrors: 0, bitrot: 0, timeouts: 0 }, 'lagging is not a failure');
  // One that never answers stops lagging at its deadline: it is then a timeout.
  const lost = monitor.run('write', 'commit', () => new Promise<never>(() => undefined));
  await new Promise((r) => setTimeout(r, 150));
  assert.equal(monitor.lagging, true);
  await assert.rejects(lost, (e: unknown) => e instanceof DriveError && e.kind === 'timeout');
  assert.equal(monitor.lagging, false);
});
