import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { HealthSummary } from '../../engine/api/host/types.js';
import { parseEngineMessage } from '../../electron/engine-messages.js';
import { trayState } from '../../electron/tray-state.js';

const running = (health?: HealthSummary) => ({ phase: 'running' as const, s3Url: 'http://127.0.0.1:9000', consoleUrl: 'http://127.0.0.1:9001', ...(health ? { health } : {}) });
const health = (state: HealthSummary['state'], online: number, healing = 0, problems: string[] = []): HealthSummary => ({ state, drivesOnline: online, drivesTotal: 4, drivesHealing: healing, problems });

describe('trayState', () => {
  it('is green only with every drive online and nothing healing', () => {
    assert.deepEqual(trayState(running(health('ok', 4))), { colour: 'green', tooltip: 'Granary: all 4 drives online' });
  });

  it('is amber when degraded, healing, read-only, or not serving yet', () => {
    const degraded = trayState(running(health('degraded', 3, 0, ['drive /d2 is offline'])));
    assert.equal(degraded.colour, 'amber');
    assert.match(degraded.tooltip, /degraded: 1 drive of 4 offline/);
    const healing = trayState(running(health('ok', 4, 1)));
    assert.equal(healing.colour, 'amber');
    assert.match(healing.tooltip, /healing 1 drive/);
    assert.equal(trayState(running(health('read-only', 2))).colour, 'amber');
    assert.equal(trayState(running()).colour, 'amber');
    assert.equal(trayState({ phase: 'starting' }).colour, 'amber');
    assert.equal(trayState({ phase: 'setup', setupUrl: 'u', consoleUrl: 'c' }).colour, 'amber');
  });

  it('is red below read quorum and whenever the engine is down', () => {
    const offline = trayState(running(health('offline', 1, 0, ['too few drives online: objects cannot be read until 2 of 4 are back'])));
    assert.equal(offline.colour, 'red');
    assert.match(offline.tooltip, /objects cannot be read, 3 drives of 4 offline\ntoo few drives/);
    const restarting = trayState({ phase: 'restarting', reason: 'the engine exited with code 1', attempt: 2, inMs: 2000 });
    assert.deepEqual(restarting, { colour: 'red', tooltip: 'Granary stopped unexpectedly (the engine exited with code 1); restarting in 2 s' });
    assert.deepEqual(trayState({ phase: 'failed', reason: 'drive /d1 belongs to another deployment' }), { colour: 'red', tooltip: 'Granary is not running: drive /d1 belongs to another deployment' });
    assert.equal(trayState({ phase: 'stopped' }).colour, 'red');
  });
});

describe('parseEngineMessage', () => {
  it('accepts the protocol and nothing else', () => {
    assert.deepEqual(parseEngineMessage({ type: 'ready', s3Url: 'a', consoleUrl: 'b', extra: 1 }), { type: 'ready', s3Url: 'a', consoleUrl: 'b' });
    assert.deepEqual(parseEngineMessage({ type: 'ready', setupUrl: 's', consoleUrl: 'b' }), { type: 'ready', setupUrl: 's', consoleUrl: 'b' });
    assert.deepEqual(parseEngineMessage({ type: 'health', summary: health('ok', 4) }), { type: 'health', summary: health('ok', 4) });
    assert.deepEqual(parseEngineMessage({ type: 'error', message: 'm', fatal: false }), { type: 'error', message: 'm', fatal: false });
    assert.deepEqual(parseEngineMessage({ type: 'stopped' }), { type: 'stopped' });
    for (const bad of [null, 'ready', { type: 'ready', consoleUrl: 'b' }, { type: 'health', summary: { ...health('ok', 4), state: 'fine' } }, { type: 'error', message: 1, fatal: true }, { type: 'shutdown' }]) {
      assert.equal(parseEngineMessage(bad), undefined, JSON.stringify(bad));
    }
  });
});
