import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DriveError } from '../../engine/drive/drive-error.js';
import { DriveMonitor } from '../../engine/drive/drive-monitor.js';

const eio = () => Promise.reject(Object.assign(new Error('EIO: i/o error'), { code: 'EIO' }));

test('an offline drive gets no operation until its probe brings it back', async () => {
  let answering = false;
  const monitor = new DriveMonitor('/nonexistent/granary-drive', { timeoutMs: 1_000, failLimit: 2, probeMs: 60_000 }, async () => {
    if (!answering) throw new Error('still not answering');
  });
  let touched = 0;
  const read = () => monitor.run('read', 'metadata read', async () => ++touched);

  assert.equal(await read(), 1, 'online: the read runs');
  await assert.rejects(monitor.run('read', 'shard read', eio));
  assert.equal(monitor.online, true, 'one failure is not enough to stop reading it');
  await assert.rejects(monitor.run('read', 'shard read', eio));
  assert.equal(monitor.online, false);

  const countersBefore = monitor.status().counters;
  await assert.rejects(read(), (e: unknown) => e instanceof DriveError && e.kind === 'offline' && e.message.includes('metadata read'));
  await assert.rejects(monitor.run('write', 'staging', async () => ++touched), (e: unknown) => e instanceof DriveError && e.kind === 'offline');
  assert.equal(touched, 1, 'neither operation touched the drive');
  assert.deepEqual(monitor.status().counters, countersBefore, 'refusing them is not another failure of the drive');

  // The probe runs at start and then every probeMs; a fresh start stands in for the next tick.
  answering = true;
  monitor.start();
  try {
    for (let i = 0; i < 50 && !monitor.online; i++) await new Promise((r) => setTimeout(r, 20));
    assert.equal(monitor.online, true, 'the probe answered');
    assert.equal(await read(), 2, 'back online, reads reach it again');
  } finally {
    monitor.stop();
  }
});

test('a drive whose last operation ran out of time is probed, though online, until an operation answers', async () => {
  let probes = 0;
  let answering = false;
  const monitor = new DriveMonitor('/nonexistent/granary-drive', { timeoutMs: 30, failLimit: 3, probeMs: 20 }, async () => {
    probes++;
    if (!answering) await new Promise((r) => setTimeout(r, 100)); // hangs past the deadline
  });
  const hang = () => new Promise<never>(() => undefined);
  const ticks = () => new Promise((r) => setTimeout(r, 150));
  monitor.start();
  try {
    await ticks();
    assert.equal(probes, 0, 'a drive that answers is not probed');
    // Nothing else may ask it again: without the probe, nobody would learn that it answers.
    await assert.rejects(monitor.run('write', 'commit', hang), (e: unknown) => e instanceof DriveError && e.kind === 'timeout');
    assert.equal(monitor.online, true, 'one timeout does not take it offline');
    await ticks();
    assert.ok(probes >= 2, `${probes} probes of a drive that still hangs`);
    answering = true;
    await ticks();
    const settled = probes;
    await ticks();
    assert.equal(probes, settled, 'once the probe answered, it is not probed again');
    // An operation that answers clears the suspicion too.
    answering = false;
    await assert.rejects(monitor.run('read', 'shard read', hang));
    assert.equal(await monitor.run('read', 'shard read', async () => 'frame'), 'frame');
    const cleared = probes;
    await ticks();
    assert.equal(probes, cleared, 'an answer ended the probing');
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
