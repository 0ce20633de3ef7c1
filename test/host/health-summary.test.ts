import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { DriveHealth, HealthSnapshot } from '../../engine/api/health/types.js';
import { summarizeSnapshot } from '../../engine/host/health-summary.js';

describe('summarizeSnapshot (engine/health)', () => {
  const lat = { read: { p50: null, p99: null, samples: 0 }, write: { p50: null, p99: null, samples: 0 } };
  const d = (slot: number, state: DriveHealth['state'], space: DriveHealth['space'] = 'ok'): DriveHealth => ({
    path: `/d${slot + 1}`, set: 0, slot, state, space, latency: lat, counters: { ioErrors: 0, bitrot: 0, timeouts: 0 }, since: '2026-01-01T00:00:00Z',
  });
  const snap = (state: HealthSnapshot['state'], drives: DriveHealth[]): HealthSnapshot => ({
    time: '2026-01-01T00:00:00Z', deploymentId: 'x', state, lastEventId: 0, healing: [],
    sets: [{ index: 0, k: 2, m: 2, state, canLose: 0, drives }],
  });

  it('counts healing drives as online and names every problem', () => {
    const s = summarizeSnapshot(snap('degraded', [d(0, 'online'), d(1, 'healing'), d(2, 'offline'), d(3, 'faulty', 'low')]));
    assert.equal(s.state, 'degraded');
    assert.equal(s.drivesOnline, 3);
    assert.equal(s.drivesHealing, 1);
    assert.deepEqual(s.problems, ['drive /d3 is offline', 'drive /d4 is failing', 'drive /d4 is low on space', '1 drive is being rebuilt']);
  });

  it('is read-only below write quorum, and says how many drives writes need', () => {
    const s = summarizeSnapshot(snap('read-only', [d(0, 'online'), d(1, 'online'), d(2, 'offline'), d(3, 'offline')]));
    assert.equal(s.state, 'read-only');
    assert.ok(s.problems.some((p) => /writes are refused until 3 of 4/.test(p)));
  });

  it('maps a healthy snapshot to ok and below read quorum to offline', () => {
    assert.deepEqual(summarizeSnapshot(snap('healthy', [0, 1, 2, 3].map((i) => d(i, 'online')))), { state: 'ok', drivesOnline: 4, drivesTotal: 4, drivesHealing: 0, problems: [] });
    const down = summarizeSnapshot(snap('offline', [d(0, 'online'), d(1, 'offline'), d(2, 'offline'), d(3, 'offline')]));
    assert.equal(down.state, 'offline');
    assert.match(down.problems.at(-1)!, /objects cannot be read until 2 of 4 are back/);
  });
});
