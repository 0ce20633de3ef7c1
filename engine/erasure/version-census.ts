import type { StoredVersion, VersionRecord } from '../drive/records.js';
import { newer } from './resolve-version.js';

/** One version of a key as the drives of a set report it. */
export interface CensusEntry {
  record: VersionRecord;
  /** holders[slot]: the drive has a row for this version. */
  holders: boolean[];
  /** current[slot]: the row is that drive's current one. */
  current: boolean[];
  /** records[slot]: that drive's row of this version, which may differ in metadata (engine/erasure/record-agreement.ts). */
  records: (VersionRecord | null)[];
  count: number;
}

export interface Census {
  /** Newest first. */
  versions: CensusEntry[];
  /** Drives that did not answer. */
  unanswered: number;
  /** The newest version on a read quorum (a tombstone included), or null. */
  winner: CensusEntry | null;
}

/**
 * Every version of one key across a set, with where it lives: what the
 * healer needs beyond `resolveVersion`, which only names the winner. Unlike
 * resolution it never throws: a set too degraded to decide still has a census.
 */
export function takeCensus(slots: (StoredVersion[] | null)[], k: number): Census {
  const byId = new Map<string, CensusEntry>();
  let unanswered = 0;
  slots.forEach((rows, slot) => {
    if (rows === null) {
      unanswered++;
      return;
    }
    for (const v of rows) {
      let e = byId.get(v.record.versionId);
      if (!e) {
        e = { record: v.record, holders: new Array(slots.length).fill(false), current: new Array(slots.length).fill(false), records: new Array(slots.length).fill(null), count: 0 };
        byId.set(v.record.versionId, e);
      }
      if (!e.holders[slot]) {
        e.holders[slot] = true;
        e.records[slot] = v.record;
        e.count++;
      }
      if (v.current) e.current[slot] = true;
    }
  });
  const versions = [...byId.values()].sort((a, b) => newer(b.record, a.record));
  return { versions, unanswered, winner: versions.find((v) => v.count >= k) ?? null };
}

/**
 * A version that can never reach a read quorum: even if every silent drive
 * held it, fewer than k would. Such a write never finished (a crash between
 * commit and revert) and reads already ignore it; its rows and shards only
 * take space, so they are removed. A version newer than the winner that
 * silent drives might still complete is not dangling: we cannot tell yet.
 */
export function isDangling(entry: CensusEntry, census: Census, k: number): boolean {
  return entry !== census.winner && entry.count + census.unanswered < k && (census.winner === null || newer(entry.record, census.winner.record) > 0);
}
