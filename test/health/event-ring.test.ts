import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { EventRing } from '../../engine/health/event-ring.js';
import { setStateOf, worst } from '../../engine/health/set-state.js';

const lowSpace = (n: number) => ({ type: 'low-space' as const, drive: `/d${n}`, freeBytes: n, totalBytes: 100 });

describe('event ring', () => {
  test('numbers events from 1 and replays what follows an id', () => {
    const ring = new EventRing(10);
    for (let i = 1; i <= 4; i++) assert.equal(ring.push(lowSpace(i)).seq, i);
    assert.deepEqual(ring.since(2), { events: [ring.since(0).events[2], ring.since(0).events[3]], complete: true });
    assert.deepEqual(ring.since(4), { events: [], complete: true });
    assert.equal(ring.since(0).events.length, 4);
  });

  test('a resume older than the ring holds, or from before a restart, is flagged incomplete', () => {
    const ring = new EventRing(3);
    for (let i = 1; i <= 6; i++) ring.push(lowSpace(i));
    assert.deepEqual(ring.since(3).events.map((e) => e.seq), [4, 5, 6]);
    assert.equal(ring.since(3).complete, true);
    assert.equal(ring.since(2).complete, false, 'event 3 was dropped');
    const future = ring.since(99);
    assert.equal(future.complete, false);
    assert.deepEqual(future.events.map((e) => e.seq), [4, 5, 6]);
  });
});

describe('set state', () => {
  test('from drive states, with the drives it can still lose', () => {
    // 2 data + 2 parity: write quorum 3, read quorum 2.
    assert.deepEqual(setStateOf(['online', 'online', 'online', 'online'], 2, 3), { state: 'healthy', canLose: 1 });
    assert.deepEqual(setStateOf(['online', 'faulty', 'online', 'offline'], 2, 3), { state: 'degraded', canLose: 0 });
    assert.deepEqual(setStateOf(['online', 'healing', 'online', 'offline'], 2, 3), { state: 'read-only', canLose: 0 });
    assert.deepEqual(setStateOf(['offline', 'offline', 'online', 'offline'], 2, 3), { state: 'offline', canLose: 0 });
    // 4 data + 2 parity: write quorum 4.
    assert.deepEqual(setStateOf(['online', 'online', 'online', 'online', 'online', 'offline'], 4, 4), { state: 'degraded', canLose: 1 });
    assert.equal(worst(['healthy', 'read-only', 'degraded']), 'read-only');
    assert.equal(worst([]), 'healthy');
  });
});
