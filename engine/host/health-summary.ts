import type { HealthSnapshot } from '../api/health/types.js';
import type { HealthSummary } from '../api/host/types.js';

const SET_STATE = { healthy: 'ok', degraded: 'degraded', 'read-only': 'read-only', offline: 'offline' } as const;

/** What the tray shows, from engine/health's snapshot: faulty drives, low space, heals under way. */
export function summarizeSnapshot(snap: HealthSnapshot): HealthSummary {
  const drives = snap.sets.flatMap((s) => s.drives);
  const problems: string[] = [];
  const where = (set: number) => (snap.sets.length > 1 ? ` in set ${set + 1}` : '');
  for (const d of drives) {
    const name = d.path ?? `slot ${d.slot + 1} of a missing drive${where(d.set)}`;
    if (d.state === 'offline') problems.push(`drive ${name} is offline`);
    if (d.state === 'unformatted') problems.push(`drive ${name} is blank: it is taken in and rebuilt shortly`);
    if (d.state === 'faulty') problems.push(`drive ${name} is failing${d.lastError ? `: ${d.lastError.message}` : ''}`);
    if (d.space === 'full') problems.push(`drive ${name} is full: writes are refused`);
    else if (d.space === 'low') problems.push(`drive ${name} is low on space`);
  }
  for (const s of snap.sets) {
    const writeQuorum = s.k === s.m ? s.k + 1 : s.k;
    if (s.state === 'read-only') problems.push(`too few drives online${where(s.index)}: writes are refused until ${writeQuorum} of ${s.k + s.m} are back`);
    if (s.state === 'offline') problems.push(`too few drives online${where(s.index)}: objects cannot be read until ${s.k} of ${s.k + s.m} are back`);
  }
  const healing = drives.filter((d) => d.state === 'healing').length;
  if (healing > 0) problems.push(`${healing} drive${healing === 1 ? ' is' : 's are'} being rebuilt`);
  return {
    state: SET_STATE[snap.state],
    drivesOnline: drives.filter((d) => d.state !== 'offline' && d.state !== 'unformatted').length,
    drivesTotal: drives.length,
    drivesHealing: healing,
    problems,
  };
}
