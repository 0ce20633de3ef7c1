import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { EngineToHost, HostToEngine } from '../../engine/api/host/types.js';
import type { EngineStatus } from '../../electron/engine-status.js';
import { restartDelay, Supervisor, DEFAULT_POLICY, type Clock, type EngineProcess } from '../../electron/supervisor.js';

/** Time moves only when the test says so. */
class ManualClock implements Clock {
  t = 0;
  private timers: { at: number; fn: () => void; id: number }[] = [];
  private nextId = 1;
  now() {
    return this.t;
  }
  setTimeout(fn: () => void, ms: number) {
    const id = this.nextId++;
    this.timers.push({ at: this.t + ms, fn, id });
    return id;
  }
  clearTimeout(h: unknown) {
    this.timers = this.timers.filter((x) => x.id !== h);
  }
  advance(ms: number) {
    const until = this.t + ms;
    for (;;) {
      const due = this.timers.filter((x) => x.at <= until).sort((a, b) => a.at - b.at)[0];
      if (!due) break;
      this.timers = this.timers.filter((x) => x !== due);
      this.t = due.at;
      due.fn();
    }
    this.t = until;
  }
  pending() {
    return this.timers.length;
  }
}

class FakeEngine implements EngineProcess {
  sent: HostToEngine[] = [];
  killed = false;
  private messageListeners: ((m: EngineToHost) => void)[] = [];
  private exitListeners: ((code: number | null) => void)[] = [];
  exitedWith: number | null | undefined;
  send(m: HostToEngine) {
    this.sent.push(m);
  }
  kill() {
    this.killed = true;
    this.exit(null);
  }
  onMessage(l: (m: EngineToHost) => void) {
    this.messageListeners.push(l);
  }
  onExit(l: (code: number | null) => void) {
    this.exitListeners.push(l);
  }
  emit(m: EngineToHost) {
    for (const l of this.messageListeners) l(m);
  }
  exit(code: number | null) {
    if (this.exitedWith !== undefined) return;
    this.exitedWith = code;
    for (const l of this.exitListeners) l(code);
  }
}

function setup(policy = {}) {
  const clock = new ManualClock();
  const engines: FakeEngine[] = [];
  const states: EngineStatus[] = [];
  const sup = new Supervisor(
    () => {
      const e = new FakeEngine();
      engines.push(e);
      return e;
    },
    { onStatus: (s) => states.push(s), clock, policy },
  );
  return { clock, engines, states, sup, last: () => engines[engines.length - 1] };
}

const READY: EngineToHost = { type: 'ready', s3Url: 'http://127.0.0.1:9000', consoleUrl: 'http://127.0.0.1:9001' };
const HEALTH: EngineToHost = { type: 'health', summary: { state: 'ok', drivesOnline: 4, drivesTotal: 4, drivesHealing: 0, problems: [] } };

describe('Supervisor', () => {
  it('follows the engine through setup, running and health', () => {
    const { sup, last, states } = setup();
    sup.start();
    assert.deepEqual(sup.state, { phase: 'starting' });
    last().emit({ type: 'ready', setupUrl: 'http://127.0.0.1:9001/setup?token=t', consoleUrl: 'http://127.0.0.1:9001' });
    assert.equal(sup.state.phase, 'setup');
    last().emit(READY);
    last().emit(HEALTH);
    assert.deepEqual(sup.state, { phase: 'running', s3Url: 'http://127.0.0.1:9000', consoleUrl: 'http://127.0.0.1:9001', health: (HEALTH as { summary: unknown }).summary });
    assert.deepEqual(states.map((s) => s.phase), ['starting', 'setup', 'running', 'running']);
  });

  it('restarts a crashed engine with exponential backoff, capped, and gives up after N quick crashes showing why', () => {
    const { sup, last, clock, engines } = setup({ baseDelayMs: 1000, maxDelayMs: 5000, quickCrashMs: 60_000, maxQuickCrashes: 5 });
    sup.start();
    const delays: number[] = [];
    for (let i = 0; i < 4; i++) {
      last().emit({ type: 'error', message: `drive /d1 refused (${i})`, fatal: true });
      last().exit(1);
      const s = sup.state;
      assert.equal(s.phase, 'restarting');
      if (s.phase !== 'restarting') return;
      assert.equal(s.reason, `drive /d1 refused (${i})`);
      assert.equal(s.attempt, i + 1);
      delays.push(s.inMs);
      const before = engines.length;
      clock.advance(s.inMs - 1);
      assert.equal(engines.length, before, 'not restarted before the delay');
      clock.advance(1);
      assert.equal(engines.length, before + 1, 'restarted after the delay');
    }
    assert.deepEqual(delays, [1000, 2000, 4000, 5000]);
    last().exit(3);
    assert.deepEqual(sup.state, { phase: 'failed', reason: 'the engine exited with code 3' });
    assert.equal(clock.pending(), 0, 'no restart is scheduled after giving up');
    assert.equal(engines.length, 5);
    // The user may try again.
    sup.start();
    assert.equal(engines.length, 6);
    assert.equal(sup.state.phase, 'starting');
  });

  it('a long healthy run ends a series of crashes: the next crash waits the base delay again', () => {
    const { sup, last, clock } = setup({ baseDelayMs: 1000, quickCrashMs: 60_000, maxQuickCrashes: 3 });
    sup.start();
    last().exit(1);
    clock.advance(1000);
    last().exit(1);
    assert.equal(sup.state.phase === 'restarting' && sup.state.inMs, 2000);
    clock.advance(2000);
    last().emit(READY);
    clock.advance(10 * 60_000);
    last().exit(null);
    assert.deepEqual(sup.state, { phase: 'restarting', reason: 'the engine was killed', attempt: 1, inMs: 1000 });
  });

  it('quits gracefully: shutdown is sent, no restart follows the exit', async () => {
    const { sup, last, clock, engines } = setup();
    sup.start();
    last().emit(READY);
    const stopped = sup.stop();
    assert.deepEqual(last().sent, [{ type: 'shutdown' }]);
    assert.equal(sup.state.phase, 'stopping');
    last().emit({ type: 'stopped' });
    last().exit(0);
    await stopped;
    assert.equal(sup.state.phase, 'stopped');
    clock.advance(10 * 60_000);
    assert.equal(engines.length, 1);
    assert.equal(last().killed, false);
  });

  it('kills an engine that does not finish its shutdown in time', async () => {
    const { sup, last, clock } = setup({ stopTimeoutMs: 30_000 });
    sup.start();
    const stopped = sup.stop();
    clock.advance(29_999);
    assert.equal(last().killed, false);
    clock.advance(1);
    assert.equal(last().killed, true);
    await stopped;
    assert.equal(sup.state.phase, 'stopped');
  });

  it('a stop while waiting to restart cancels the restart', async () => {
    const { sup, last, clock, engines } = setup();
    sup.start();
    last().exit(1);
    await sup.stop();
    assert.equal(sup.state.phase, 'stopped');
    clock.advance(10 * 60_000);
    assert.equal(engines.length, 1);
  });

  it('restartDelay doubles from the base up to the cap', () => {
    assert.deepEqual([1, 2, 3, 4, 5, 6, 7, 8].map((n) => restartDelay(DEFAULT_POLICY, n)), [1000, 2000, 4000, 8000, 16000, 32000, 60000, 60000]);
  });
});
