import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { summarizeHealth } from '../../engine/host/health-summary.js';
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
