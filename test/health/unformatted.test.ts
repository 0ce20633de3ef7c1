import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { DEFAULT_HEALER_CONFIG, Healer } from '../../engine/heal/healer.js';
import { HealthMonitor } from '../../engine/health/health-monitor.js';
import type { HealthEvent } from '../../engine/api/health/types.js';
import { ErasureObjectLayer } from '../../engine/object/erasure-object-layer.js';
import { readAll, seededBytes } from '../helpers/drives.js';

/**
 * The real layer, monitor and healer in one process, so the moment between
 * a drive being emptied and the healer taking it in can be held open: the
 * healer starts only once the monitor has said what it sees.
 */
const root = mkdtempSync(join(tmpdir(), 'granary-unformatted-'));
after(() => rmSync(root, { recursive: true, force: true }));

async function* once(b: Buffer) {
  yield b;
}

async function waitFor<T>(what: string, f: () => T | undefined, ms = 60_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = f();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

test('an emptied drive is reported unformatted, then healing, then online, in that order on the event stream', async () => {
  const drives = [1, 2, 3, 4].map((i) => join(root, `d${i}`));
  const layer = await ErasureObjectLayer.open({ drives, parity: 2 });
  const monitor = new HealthMonitor({ reports: () => layer.driveReports(), pollMs: 50 });
  const events: HealthEvent[] = [];
  monitor.on((e) => events.push(e));
  monitor.start();
  let healer: Healer | undefined;
  try {
    await layer.makeBucket('bkt');
    for (let i = 0; i < 20; i++) await layer.putObject('bkt', `o/${i}`, once(seededBytes(200_000 + i, i + 1)));
    assert.equal(monitor.snapshot().sets[0].drives[2].state, 'online');

    for (const entry of readdirSync(drives[2])) rmSync(join(drives[2], entry), { recursive: true, force: true });
    const blank = await waitFor('unformatted', () => events.find((e) => e.type === 'drive-state' && e.slot === 2 && e.to === 'unformatted'));
    const snap = monitor.snapshot();
    assert.equal(snap.sets[0].drives[2].state, 'unformatted');
    assert.equal(snap.sets[0].state, 'degraded', 'a blank drive does not serve');

    healer = new Healer(layer, { ...DEFAULT_HEALER_CONFIG, intervalSeconds: 0, watchSeconds: 0.2 });
    healer.start();
    await waitFor('online again', () => events.find((e) => e.type === 'drive-state' && e.slot === 2 && e.to === 'online' && e.seq > blank.seq));
    const path = events.filter((e) => e.type === 'drive-state' && e.slot === 2).map((e) => (e.type === 'drive-state' ? e.to : ''));
    // Between unformatted and online there may be nothing else than healing: never offline, never faulty.
    assert.deepEqual(path.filter((s, i) => s !== path[i - 1]), ['unformatted', 'healing', 'online']);
    for (let i = 0; i < 20; i++) {
      const r = await layer.getObject('bkt', `o/${i}`);
      assert.ok((await readAll(r.body)).equals(seededBytes(200_000 + i, i + 1)), `o/${i}`);
    }
  } finally {
    await healer?.close();
    monitor.stop();
    await layer.close();
  }
});
