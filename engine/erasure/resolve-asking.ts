import { isGranaryError } from '../common/errors.js';
import type { LocalDrive } from '../drive/local-drive.js';
import type { StoredVersion } from '../drive/records.js';
import { askDrives } from './ask-drives.js';
import { resolveVersion, type Resolved, type SlotVersions } from './resolve-version.js';

/**
 * A key's current version, with every drive asked at once (askDrives). Drives
 * that lag are left out when the others settle the verdict without them;
 * resolveVersion says when they cannot (a newer version the silent drives
 * might complete), and then it waits on for them.
 */
export async function resolveAsking(
  drives: readonly (LocalDrive | null)[],
  ask: (drive: LocalDrive) => Promise<StoredVersion[]>,
  k: number,
  what: string,
): Promise<{ resolved: Resolved | null; slots: SlotVersions[] }> {
  const settles = (slots: readonly SlotVersions[]) => {
    try {
      resolveVersion(slots, k, what);
      return true;
    } catch (err) {
      if (isGranaryError(err, 'XGranaryReadQuorum')) return false;
      throw err;
    }
  };
  const slots = await askDrives(drives, ask, settles);
  return { resolved: resolveVersion(slots, k, what), slots };
}
