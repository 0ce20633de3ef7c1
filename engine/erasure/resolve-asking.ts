import { isGranaryError } from '../common/errors.js';
import type { LocalDrive } from '../drive/local-drive.js';
import type { StoredVersion } from '../drive/records.js';
import { resolveVersion, type Resolved, type SlotVersions } from './resolve-version.js';

/**
 * A key's current version, with every drive asked at once (asynchronously,
 * so a drive whose disk hangs holds no one but this request). It settles
 * when every drive has answered or failed, or sooner when the only drives
 * still silent are lagging (an operation of theirs long unanswered, see
 * DriveMonitor.lagging) and the others settle the verdict without them.
 * When they cannot (resolveVersion refuses a verdict that silent drives
 * could change), it waits on, up to each drive's deadline.
 */
export async function resolveAsking(
  drives: readonly (LocalDrive | null)[],
  ask: (drive: LocalDrive) => Promise<StoredVersion[]>,
  k: number,
  what: string,
): Promise<{ resolved: Resolved | null; slots: SlotVersions[] }> {
  const slots: SlotVersions[] = drives.map(() => null);
  const waiting = new Set<number>();
  let wake: (() => void) | null = null;
  drives.forEach((d, slot) => {
    if (!d) return;
    waiting.add(slot);
    ask(d)
      .then((rows) => { slots[slot] = rows; }, () => undefined)
      .then(() => { waiting.delete(slot); wake?.(); });
  });
  // By then every read still unanswered is its drive's oldest or younger: all lagging, so worth a look without them.
  const lagMs = Math.max(0, ...drives.map((d) => d?.health.lagMs ?? 0));
  const timer = setTimeout(() => wake?.(), lagMs + 1);
  try {
    while (waiting.size > 0) {
      if ([...waiting].every((slot) => drives[slot]!.health.lagging)) {
        try {
          return { resolved: resolveVersion(slots, k, what), slots: slots.slice() };
        } catch (err) {
          if (!isGranaryError(err, 'XGranaryReadQuorum')) throw err;
        }
      }
      await new Promise<void>((r) => { wake = r; });
      wake = null;
    }
  } finally {
    clearTimeout(timer);
  }
  return { resolved: resolveVersion(slots, k, what), slots };
}
