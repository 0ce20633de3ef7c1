/**
 * What the healer tells the rest of the engine: a status object (admin API,
 * console) and events (the health event bus). Plain data, JSON as it stands.
 */

/** What a sweep found (or fixed), by kind. */
export interface HealCounts {
  /** Objects looked at. */
  objects: number;
  /** A drive lacked the current version's row (missed write, replaced drive). */
  metadata: number;
  /** A shard file or inline shard was absent. */
  missing: number;
  /** A shard was of the wrong size. */
  truncated: number;
  /** A shard frame failed its hash (bitrot). */
  corrupt: number;
  /** Versions on too few drives to ever be read. */
  dangling: number;
  /** Superseded rows a lost finalize left behind (per drive). */
  stale: number;
  /** Rows of the current version whose metadata differed from the other drives' (per drive). */
  diverged: number;
  /** Parts (and upload rows) of unfinished multipart uploads a drive lacked (per drive). */
  uploads: number;
  /** Data folders no row refers to, older than the grace period. */
  orphans: number;
  /** Staging leftovers older than the grace period. */
  staging: number;
  /** A drive did not answer (hung or offline), so its copy went unchecked (per object and drive); never "fixed". */
  unanswered: number;
}

export function zeroCounts(): HealCounts {
  return { objects: 0, metadata: 0, missing: 0, truncated: 0, corrupt: 0, dangling: 0, stale: 0, diverged: 0, uploads: 0, orphans: 0, staging: 0, unanswered: 0 };
}

export interface SweepOptions {
  bucket?: string;
  prefix?: string;
  /** Read and hash every frame of every shard; otherwise presence and size. */
  deep: boolean;
  dryRun: boolean;
  /** Objects per second; 0: as fast as the drives go. */
  pace: number;
  /** Bytes per second read and written (deep checks, repairs); 0 or absent: no limit. */
  ioBytesPerSecond?: number;
}

/**
 * One pass over objects: an on-demand sweep (`granary admin heal`), a cycle
 * of the background scanner, or the rebuild of a replaced drive.
 */
export interface SweepStatus {
  id: string;
  kind: 'sweep' | 'scan' | 'rebuild';
  state: 'running' | 'done' | 'failed' | 'aborted';
  options: SweepOptions;
  /** The replaced drive, for a rebuild. */
  drive?: string;
  startedAt: string;
  finishedAt?: string;
  objectsDone: number;
  /** Counted when the sweep starts; grows if writes add objects meanwhile. */
  objectsTotal: number;
  bytesDone: number;
  bytesTotal: number;
  /** Never goes down while the sweep runs; 100 once it is done. */
  percent: number;
  /** Bytes per second since the start. */
  rate: number;
  /** Seconds left at the current rate; null until there is a rate. */
  etaSeconds: number | null;
  found: HealCounts;
  fixed: HealCounts;
  /** Objects whose heal failed (for example too few good shards left). */
  errors: number;
  lastError?: string;
}

export interface ScannerStatus {
  /** 0: the background scanner is off. */
  intervalSeconds: number;
  pace: number;
  /** MiB per second the scanner may read and write; 0: no limit. */
  ioMiBps: number;
  deepEvery: number;
  graceSeconds: number;
  cycles: number;
  nextCycleAt?: string;
}

export interface HealStatus {
  /** The running on-demand sweep, or the last one. */
  sweep: SweepStatus | null;
  /** The running scanner cycle, or the last one. */
  scan: SweepStatus | null;
  /** Drive rebuilds: running ones and those finished since the start. */
  rebuilds: SweepStatus[];
  scanner: ScannerStatus;
}

/** For the health event bus (the lead connects it): heal started / progress / finished, bitrot found and repaired, drive replaced. */
export type HealEvent =
  | { type: 'heal.started'; sweep: SweepStatus }
  | { type: 'heal.progress'; sweep: SweepStatus }
  | { type: 'heal.finished'; sweep: SweepStatus }
  | { type: 'heal.bitrot'; bucket: string; key: string; drive: string; reason: 'missing' | 'truncated' | 'corrupt'; repaired: boolean }
  | { type: 'heal.drive-replaced'; drive: string; set: number };

export type HealListener = (event: HealEvent) => void;
