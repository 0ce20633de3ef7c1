import type { StorageInfo } from '../object/object-layer.js';
import type { ErasureSetSummary, StorageSummary } from '../api/console/types.js';

const SEVERITY: ErasureSetSummary['state'][] = ['healthy', 'degraded', 'read-only', 'offline'];

type DriveInfo = StorageInfo['sets'][number]['drives'][number];

/** A drive without a known device is its own disk. */
function diskKey(d: DriveInfo, i: string): string {
  return d.device !== undefined ? `dev:${d.device}` : `drive:${i}`;
}

/**
 * The dashboard's numbers from the object layer's drive report. Usable
 * capacity counts what objects can fill after parity: each set's online
 * drives' bytes × k / (k + m). Drive folders on one filesystem share its
 * bytes: each gets its share (the disk's bytes / the online drives on it),
 * so the disk is counted once.
 */
export function storageSummary(info: StorageInfo, now = new Date()): StorageSummary {
  const onDisk = new Map<string, string[]>();
  info.sets.forEach((set, si) => set.drives.forEach((d, di) => {
    if (d.state !== 'online') return;
    const key = diskKey(d, `${si}/${di}`);
    onDisk.set(key, [...(onDisk.get(key) ?? []), d.path ?? `set ${si + 1} drive ${di + 1}`]);
  }));
  let usableBytes = 0;
  let usableFreeBytes = 0;
  let rawBytes = 0;
  let rawFreeBytes = 0;
  let drivesOnline = 0;
  let drivesTotal = 0;
  let worst = 0;
  const sets = info.sets.map((set, si): ErasureSetSummary => {
    let total = 0;
    let free = 0;
    set.drives.forEach((d, di) => {
      drivesTotal++;
      if (d.state !== 'online') return;
      drivesOnline++;
      const sharing = onDisk.get(diskKey(d, `${si}/${di}`))?.length ?? 1;
      total += (d.totalBytes ?? 0) / sharing;
      free += (d.freeBytes ?? 0) / sharing;
    });
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
    rawBytes: Math.round(rawBytes),
    rawFreeBytes: Math.round(rawFreeBytes),
    drivesOnline,
    drivesTotal,
    disks: onDisk.size,
    sharedDisks: [...onDisk.values()].filter((drives) => drives.length > 1).map((drives) => ({ drives })),
    sets,
    measuredAt: now.toISOString(),
  };
}
