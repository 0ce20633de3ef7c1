import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { HealEvent, SweepStatus } from '../../engine/heal/heal-types.js';
import { zeroCounts } from '../../engine/heal/heal-types.js';
import type { HealthEvent, HealthSnapshot } from '../../engine/api/health/types.js';
import { healthEventOf } from '../../engine/server/heal-events.js';
import { consoleUrlOf, login } from '../console/console-client.js';
import { startServer, type RunningServer } from '../helpers/server.js';
import { signedFetch } from '../helpers/signed-fetch.js';

const sweep = (over: Partial<SweepStatus> = {}): SweepStatus => ({
  id: 's1', kind: 'sweep', state: 'running', options: { deep: false, dryRun: false, pace: 0 }, startedAt: '2026-01-01T00:00:00Z',
  objectsDone: 3, objectsTotal: 10, bytesDone: 300, bytesTotal: 1000, percent: 30, rate: 0, etaSeconds: null, found: zeroCounts(), fixed: zeroCounts(), errors: 0, ...over,
});

const snapshot = (): HealthSnapshot => ({
  time: '2026-01-01T00:00:00Z', deploymentId: 'x', state: 'healthy', lastEventId: 0, healing: [],
  sets: [{ index: 1, k: 2, m: 2, state: 'healthy', canLose: 2, drives: [{ path: '/d3', set: 1, slot: 2, state: 'online', space: 'ok', latency: { read: { p50: null, p99: null, samples: 0 }, write: { p50: null, p99: null, samples: 0 } }, counters: { ioErrors: 0, bitrot: 0, timeouts: 0 }, since: '2026-01-01T00:00:00Z' }] }],
});

describe('heal events on the health stream', () => {
  test('a finished sweep counts what it fixed, not what it looked at; a rebuild is a drive heal', () => {
    const fixed = { ...zeroCounts(), objects: 50, missing: 2, corrupt: 1, orphans: 4 };
    const done = healthEventOf({ type: 'heal.finished', sweep: sweep({ state: 'done', fixed, errors: 1 }) }, snapshot);
    assert.deepEqual(done && { type: done.type, healed: (done as { healed: number }).healed, failed: (done as { failed: number }).failed }, { type: 'heal-finished', healed: 7, failed: 1 });
    const rebuild = healthEventOf({ type: 'heal.started', sweep: sweep({ kind: 'rebuild', drive: '/d3' }) }, snapshot);
    assert.deepEqual(rebuild, { type: 'heal-started', heal: { kind: 'drive', drive: '/d3', objectsDone: 3, objectsTotal: 10, bytesDone: 300, bytesTotal: 1000 } });
  });

  test('bitrot names the set and slot of its drive; an unknown drive is dropped, not invented', () => {
    const e = (repaired: boolean, drive = '/d3'): HealEvent => ({ type: 'heal.bitrot', bucket: 'b', key: 'k', drive, reason: 'corrupt', repaired });
    assert.deepEqual(healthEventOf(e(false), snapshot), { type: 'bitrot-found', drive: '/d3', set: 1, slot: 2, count: 1, bucket: 'b', key: 'k' });
    assert.deepEqual(healthEventOf(e(true), snapshot), { type: 'bitrot-repaired', set: 1, count: 1, bucket: 'b', key: 'k' });
    assert.equal(healthEventOf(e(true, '/elsewhere'), snapshot), undefined);
  });
});

describe('a heal sweep seen from the console', () => {
  let server: RunningServer;
  before(async () => {
    server = await startServer({ args: ['--scanner-interval', '0'] });
  });
  after(async () => {
    await server?.stop();
  });

  test('the event stream replays heal-started and heal-finished of a sweep started through the admin API', async () => {
    assert.equal((await signedFetch(server, 'PUT', '/healbucket')).status, 200);
    assert.equal((await signedFetch(server, 'PUT', '/healbucket/a', 'some bytes')).status, 200);
    const started = await signedFetch(server, 'POST', '/granary/admin/v1/heal', '{}');
    assert.equal(started.status, 200, await started.clone().text());
    const base = await consoleUrlOf(server);
    const session = await login(base, server.accessKey, server.secretKey);
    const seen: HealthEvent[] = [];
    const abort = new AbortController();
    const deadline = setTimeout(() => abort.abort(), 60_000);
    try {
      const res = await fetch(`${base}/api/v1/events`, { headers: { cookie: session.cookie, accept: 'text/event-stream', 'last-event-id': '0' }, signal: abort.signal });
      assert.equal(res.status, 200);
      const decoder = new TextDecoder();
      let text = '';
      for await (const chunk of res.body!) {
        text += decoder.decode(chunk as Uint8Array, { stream: true });
        let end: number;
        while ((end = text.indexOf('\n\n')) >= 0) {
          const block = text.slice(0, end);
          text = text.slice(end + 2);
          const data = block.split('\n').filter((l) => l.startsWith('data:')).map((l) => l.slice(5).trim()).join('\n');
          if (data) seen.push(JSON.parse(data) as HealthEvent);
        }
        if (seen.some((e) => e.type === 'heal-finished')) break;
      }
    } finally {
      clearTimeout(deadline);
      abort.abort();
    }
    const kinds = seen.filter((e) => e.type.startsWith('heal-')).map((e) => e.type);
    assert.equal(kinds[0], 'heal-started', JSON.stringify(seen));
    assert.equal(kinds.at(-1), 'heal-finished');
    const finished = seen.find((e) => e.type === 'heal-finished') as HealthEvent & { healed: number; failed: number };
    assert.equal(finished.failed, 0);
    assert.equal(finished.healed, 0, 'nothing was damaged');
  });
});
