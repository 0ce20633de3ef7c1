import type { StorageInfo } from '../object/object-layer.js';
import type { ErasureSetSummary, StorageSummary } from './api-types.js';

const SEVERITY: ErasureSetSummary['state'][] = ['healthy', 'degraded', 'read-only', 'offline'];

/**
 * The dashboard's numbers from the object layer's drive report. Usable
 * capacity counts what objects can fill after parity: each set's online
 * drives' bytes × k / (k + m).
 */
export function storageSummary(info: StorageInfo, now = new Date()): StorageSummary {
  let usableBytes = 0;
  let usableFreeBytes = 0;
  let rawBytes = 0;
  let rawFreeBytes = 0;
  let drivesOnline = 0;
  let drivesTotal = 0;
  let worst = 0;
  const sets = info.sets.map((set): ErasureSetSummary => {
    let total = 0;
    let free = 0;
    for (const d of set.drives) {
      drivesTotal++;
      if (d.state !== 'online') continue;
      drivesOnline++;
      total += d.totalBytes ?? 0;
      free += d.freeBytes ?? 0;
    }
    const share = set.k / (set.k + set.m);
    rawBytes += total;
    rawFreeBytes += free;
    usableBytes += Math.floor(total * share);
    usableFreeBytes += Math.floor(free * share);
    worst = Math.max(worst, SEVERITY.indexOf(set.state));
    return {
      dataDrives: set.k,
      parityDrives: set.m,
      state: set.state,
      drives: set.drives.map((d) => ({ path: d.path, state: d.state, ...(d.totalBytes !== undefined ? { totalBytes: d.totalBytes } : {}), ...(d.freeBytes !== undefined ? { freeBytes: d.freeBytes } : {}) })),
    };
  });
  return {
    deploymentId: info.deploymentId,
    state: SEVERITY[worst],
    usableBytes,
    usableFreeBytes,
    rawBytes,
    rawFreeBytes,
    drivesOnline,
    drivesTotal,
    sets,
    measuredAt: now.toISOString(),
  };
}
