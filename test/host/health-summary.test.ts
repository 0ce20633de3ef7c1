import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { DriveHealth, HealthSnapshot } from '../../engine/health/health-types.js';
import { summarizeHealth, summarizeSnapshot } from '../../engine/host/health-summary.js';
import type { StorageInfo } from '../../engine/object/object-layer.js';

const drive = (path: string, online = true) => ({ path, state: online ? ('online' as const) : ('offline' as const) });

describe('summarizeHealth', () => {
  it('is ok with every drive online', () => {
    const info: StorageInfo = { deploymentId: 'd', sets: [{ k: 2, m: 2, state: 'healthy', drives: ['/a', '/b', '/c', '/d'].map((p) => drive(p)) }] };
    assert.deepEqual(summarizeHealth(info), { state: 'ok', drivesOnline: 4, drivesTotal: 4, drivesHealing: 0, problems: [] });
  });

  it('takes the worst set, names offline drives and healing ones', () => {
    const info: StorageInfo = {
      deploymentId: 'd',
      sets: [
        { k: 2, m: 2, state: 'degraded', drives: [drive('/a'), drive('/b', false), drive('/c'), drive('/d')] },
        { k: 2, m: 2, state: 'offline', drives: [drive('/e'), { path: null, state: 'offline' }, drive('/g', false), drive('/h', false)] },
      ],
    };
    const s = summarizeHealth(info, new Set(['/c']));
    assert.equal(s.state, 'offline');
    assert.equal(s.drivesOnline, 4);
    assert.equal(s.drivesTotal, 8);
    assert.equal(s.drivesHealing, 1);
    assert.ok(s.problems.includes('drive /b is offline'));
    assert.ok(s.problems.some((p) => /objects cannot be read until 2 of 4 are back/.test(p)));
    assert.ok(s.problems.includes('1 drive is being rebuilt'));
  });

  it('is read-only below write quorum', () => {
    const info: StorageInfo = { deploymentId: 'd', sets: [{ k: 2, m: 2, state: 'read-only', drives: [drive('/a'), drive('/b'), drive('/c', false), drive('/d', false)] }] };
    const s = summarizeHealth(info);
    assert.equal(s.state, 'read-only');
    assert.ok(s.problems.some((p) => /writes are refused until 3 of 4/.test(p)));
  });
});

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

  it('maps a healthy snapshot to ok and below read quorum to offline', () => {
    assert.deepEqual(summarizeSnapshot(snap('healthy', [0, 1, 2, 3].map((i) => d(i, 'online')))), { state: 'ok', drivesOnline: 4, drivesTotal: 4, drivesHealing: 0, problems: [] });
    const down = summarizeSnapshot(snap('offline', [d(0, 'online'), d(1, 'offline'), d(2, 'offline'), d(3, 'offline')]));
    assert.equal(down.state, 'offline');
    assert.match(down.problems.at(-1)!, /objects cannot be read until 2 of 4 are back/);
  });
});
