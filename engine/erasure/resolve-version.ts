import { GranaryError } from '../common/errors.js';
import type { StoredVersion, VersionRecord } from '../drive/records.js';

/** One slot's answer when asked for a key's versions: its rows, or null when the drive did not answer. */
export type SlotVersions = StoredVersion[] | null;

export interface Resolved {
  record: VersionRecord;
  /** holders[slot]: that drive has this version's rows (current or superseded). */
  holders: boolean[];
  /** Inline frames already read with the rows, by slot (from `resolveForRead`); a holder without one is read when needed. */
  frames?: (Uint8Array | undefined)[];
}

/**
 * Which version of a key exists. A version exists when at least k drives hold
 * it (a write reaching fewer never finished); of those, the newest wins, and a
 * newest tombstone means the key is deleted. When drives that did not answer
 * could change the verdict, the answer is a read-quorum error rather than a
 * guess, so a degraded set never serves a stale version as current.
 */
export function resolveVersion(slots: readonly SlotVersions[], k: number, what: string): Resolved | null {
  const unanswered = slots.filter((s) => s === null).length;
  if (slots.length - unanswered < k) throw new GranaryError('XGranaryReadQuorum', `${what}: only ${slots.length - unanswered} of ${slots.length} drives answered, ${k} needed`);

  const candidates = new Map<string, { record: VersionRecord; holders: boolean[]; count: number }>();
  slots.forEach((versions, slot) => {
    for (const v of versions ?? []) {
      let c = candidates.get(v.record.versionId);
      if (!c) {
        c = { record: v.record, holders: new Array(slots.length).fill(false), count: 0 };
        candidates.set(v.record.versionId, c);
      }
      if (!c.holders[slot]) {
        c.holders[slot] = true;
        c.count++;
      }
    }
  });

  const ordered = [...candidates.values()].sort((a, b) => newer(b.record, a.record));
  for (const c of ordered) {
    if (c.count >= k) return c.record.deleted ? null : { record: c.record, holders: c.holders };
    // A newer version the silent drives might complete: we cannot tell which is current.
    if (c.count + unanswered >= k) throw new GranaryError('XGranaryReadQuorum', `${what}: too many drives offline to tell which version is current`);
  }
  return null;
}

/** Positive when a is newer than b. */
export function newer(a: Pick<VersionRecord, 'mtime' | 'versionId'>, b: Pick<VersionRecord, 'mtime' | 'versionId'>): number {
  if (a.mtime !== b.mtime) return a.mtime - b.mtime;
  return a.versionId < b.versionId ? -1 : a.versionId > b.versionId ? 1 : 0;
}
