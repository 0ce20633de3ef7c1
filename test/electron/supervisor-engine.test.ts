import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parseEngineMessage } from '../../electron/engine-messages.js';
import type { EngineStatus } from '../../electron/engine-status.js';
import { Supervisor, type EngineProcess } from '../../electron/supervisor.js';
import { tempDrives } from '../helpers/drives.js';
import { forkEngine, type EngineChild } from '../helpers/engine-child.js';
import { ROOT_PASSWORD, ROOT_USER } from '../helpers/server.js';
import { signedFetch } from '../helpers/signed-fetch.js';

/** What electron/engine-host.ts does with utilityProcess, done with Node's fork: the supervisor cannot tell the difference. */
function nodeEngine(args: string[], children: EngineChild[]): EngineProcess {
  const e = forkEngine(args, { GRANARY_ROOT_USER: ROOT_USER, GRANARY_ROOT_PASSWORD: ROOT_PASSWORD, GRANARY_HEALTH_INTERVAL_MS: '300' });
  children.push(e);
  return {
    send: (m) => e.send(m),
    kill: () => e.child.kill('SIGKILL'),
    onMessage: (l) => e.child.on('message', (data) => {
      const m = parseEngineMessage(data);
      if (m) l(m);
    }),
    onExit: (l) => void e.exited.then(({ code }) => l(code)),
  };
}

function waitFor(sup: Supervisor, ok: (s: EngineStatus) => boolean, states: EngineStatus[], timeoutMs = 60_000): Promise<EngineStatus> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const poll = () => {
      if (ok(sup.state)) return resolve(sup.state);
      if (Date.now() - started > timeoutMs) return reject(new Error(`state never came: ${JSON.stringify(states)}`));
      setTimeout(poll, 50);
    };
    poll();
  });
}

describe('Supervisor with the real engine process', () => {
  it('runs it, restarts it after a crash, and stops it gracefully', async () => {
    const t = tempDrives(4, 'granary-sup');
    const children: EngineChild[] = [];
    const states: EngineStatus[] = [];
    const args = ['--address', '127.0.0.1:0', '--console-address', '127.0.0.1:0', '--config-dir', join(t.root, 'config'), ...t.drives];
    const sup = new Supervisor(() => nodeEngine(args, children), { onStatus: (s) => states.push(s), policy: { baseDelayMs: 100 } });
    try {
      sup.start();
      const first = await waitFor(sup, (s) => s.phase === 'running' && s.health !== undefined, states);
      assert.equal(first.phase === 'running' && first.health?.state, 'ok');
      const account = { endpoint: first.phase === 'running' ? first.s3Url : '', accessKey: ROOT_USER, secretKey: ROOT_PASSWORD };
      assert.equal((await signedFetch(account, 'PUT', '/sup')).status, 200);

      // A crash (the OS killed it): the supervisor notices, waits, starts a new one.
      children[0].child.kill('SIGKILL');
      await waitFor(sup, (s) => s.phase === 'restarting', states);
      const second = await waitFor(sup, (s) => s.phase === 'running' && children.length === 2, states);
      assert.equal(children.length, 2);
      const restarting = states.find((s) => s.phase === 'restarting');
      assert.deepEqual(restarting, { phase: 'restarting', reason: 'the engine was killed', attempt: 1, inMs: 100 });
      const account2 = { ...account, endpoint: second.phase === 'running' ? second.s3Url : '' };
      assert.equal((await signedFetch(account2, 'HEAD', '/sup')).status, 200);

      await sup.stop();
      assert.equal(sup.state.phase, 'stopped');
      assert.deepEqual(await children[1].exited, { code: 0, signal: null });
      assert.ok(children[1].messages.some((m) => m.type === 'stopped'));
      assert.equal(children.length, 2, 'no restart after a requested stop');
    } finally {
      for (const c of children) await c.kill();
      t.cleanup();
    }
  });
});
