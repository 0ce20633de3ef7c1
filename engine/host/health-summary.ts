import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { META_DIR } from '../drive/format.js';
import type { StorageInfo } from '../object/object-layer.js';
import type { HealthSummary } from './host-protocol.js';

const RANK: Record<HealthSummary['state'], number> = { ok: 0, degraded: 1, 'read-only': 2, offline: 3 };
const SET_STATE = { healthy: 'ok', degraded: 'degraded', 'read-only': 'read-only', offline: 'offline' } as const;

/**
 * What the tray shows, from the object layer's view of its sets. `healing`
 * is the set of drive paths waiting to be rebuilt.
 */
export function summarizeHealth(info: StorageInfo, healing: ReadonlySet<string> = new Set()): HealthSummary {
  let state: HealthSummary['state'] = 'ok';
  let online = 0;
  let total = 0;
  let healingCount = 0;
  const problems: string[] = [];
  info.sets.forEach((set, i) => {
    const s = SET_STATE[set.state];
    if (RANK[s] > RANK[state]) state = s;
    const where = info.sets.length > 1 ? ` in set ${i + 1}` : '';
    for (const d of set.drives) {
      total++;
      if (d.state === 'online') online++;
      else problems.push(`drive ${d.path ?? `slot of a missing drive${where}`} is offline`);
      if (d.path && healing.has(d.path)) healingCount++;
    }
    if (set.state === 'read-only') problems.push(`too few drives online${where}: writes are refused until ${set.k === set.m ? set.k + 1 : set.k} of ${set.k + set.m} are back`);
    if (set.state === 'offline') problems.push(`too few drives online${where}: objects cannot be read until ${set.k} of ${set.k + set.m} are back`);
  });
  if (healingCount > 0) problems.push(`${healingCount} drive${healingCount === 1 ? ' is' : 's are'} being rebuilt`);
  return { state, drivesOnline: online, drivesTotal: total, drivesHealing: healingCount, problems };
}

/** Drives carrying the healing marker (engine/erasure/deployment.ts writes it when a blank drive replaces a lost one). */
export function healingDrives(info: StorageInfo): Set<string> {
  const paths = info.sets.flatMap((s) => s.drives.flatMap((d) => (d.path ? [d.path] : [])));
  return new Set(paths.filter((p) => existsSync(join(p, META_DIR, 'healing.json'))));
}
