import type { HealEvent, SweepStatus } from '../heal/heal-types.js';
import type { HealProgress, HealthEventBody, HealthSnapshot } from '../api/health/types.js';

/**
 * The healer's events as the health stream carries them (console, tray,
 * audit). engine/heal and engine/health do not know each other; the
 * composition root translates. A bitrot event names a drive path; the
 * stream wants its set and slot, found in the current snapshot.
 */
export function healthEventOf(e: HealEvent, snapshot: () => HealthSnapshot): HealthEventBody | undefined {
  switch (e.type) {
    case 'heal.started':
      return { type: 'heal-started', heal: progressOf(e.sweep) };
    case 'heal.progress':
      return { type: 'heal-progress', heal: progressOf(e.sweep) };
    case 'heal.finished': {
      const { objects: _objects, ...fixed } = e.sweep.fixed;
      const healed = Object.values(fixed).reduce((a, b) => a + b, 0);
      return { type: 'heal-finished', heal: progressOf(e.sweep), healed, failed: e.sweep.errors };
    }
    case 'heal.bitrot': {
      const place = locate(snapshot(), e.drive);
      if (!place) return undefined;
      return e.repaired
        ? { type: 'bitrot-repaired', set: place.set, count: 1, bucket: e.bucket, key: e.key }
        : { type: 'bitrot-found', drive: e.drive, set: place.set, slot: place.slot, count: 1, bucket: e.bucket, key: e.key };
    }
    case 'heal.drive-replaced':
      // The drive's own state change (to healing, then online) is already on the stream.
      return undefined;
  }
}

function progressOf(s: SweepStatus): HealProgress {
  return {
    kind: s.kind === 'rebuild' ? 'drive' : 'sweep',
    ...(s.drive !== undefined ? { drive: s.drive } : {}),
    objectsDone: s.objectsDone,
    objectsTotal: s.objectsTotal,
    bytesDone: s.bytesDone,
    bytesTotal: s.bytesTotal,
    ...(s.rate > 0 ? { rate: s.rate } : {}),
    ...(s.etaSeconds !== null ? { etaSeconds: s.etaSeconds } : {}),
  };
}

function locate(snap: HealthSnapshot, path: string): { set: number; slot: number } | undefined {
  for (const set of snap.sets) for (const d of set.drives) if (d.path === path) return { set: set.index, slot: d.slot };
  return undefined;
}
