/**
 * The health model of the engine, types only: what the console (`GET
 * /api/v1/health`, `GET /api/v1/events`), the admin API (`GET
 * /granary/admin/v1/health`) and the host adapter of the tray receive. Shared
 * by engine and renderer, so no imports and no code.
 */

/**
 * online: serving reads and writes. offline: not answering (gone, or taken
 * out after repeated errors or timeouts; probed in the background and brought
 * back when it answers). faulty: answering but failing I/O (kept online for
 * reads while it errors). healing: a replacement being rebuilt.
 * unformatted: a blank folder not (yet) part of the set.
 */
export type DriveState = 'online' | 'offline' | 'faulty' | 'healing' | 'unformatted';

/** Rolling percentiles over the drive's recent operations, in milliseconds; null before any operation. */
export interface LatencySummary {
  p50: number | null;
  p99: number | null;
  /** Operations the window holds. */
  samples: number;
}

export interface DriveSmart {
  /** From smartctl's overall health self-assessment; unknown when smartctl is absent, not permitted or says nothing. */
  status: 'passed' | 'failed' | 'unknown';
  /** Degrees Celsius; absent when the OS does not tell. */
  temperature?: number;
  /** The device's model as the OS names it; absent when unknown. */
  model?: string;
  /** The block device holding the drive's folder (e.g. /dev/sda); folders on one disk share it and its SMART data. */
  device?: string;
  /** Where the data came from, when it came from somewhere. */
  source?: 'smartctl' | 'systeminformation';
}

export interface DriveHealth {
  /** The drive's folder as given to `granary server`; null for a slot whose drive was not given. */
  path: string | null;
  /** Position in its erasure set (format.json order). */
  set: number;
  slot: number;
  state: DriveState;
  /** Free space below the low-space threshold (writes go on), or below the reserve (writes refused). */
  space: 'ok' | 'low' | 'full';
  lastError?: { message: string; kind: string; time: string };
  latency: { read: LatencySummary; write: LatencySummary };
  /** Bytes from statfs (or the test hook); absent when the drive cannot be asked. */
  totalBytes?: number;
  freeBytes?: number;
  counters: { ioErrors: number; bitrot: number; timeouts: number };
  smart?: DriveSmart;
  /** When the state last changed (ISO time). */
  since: string;
}

/**
 * healthy: every drive online. degraded: some drives out, reads and writes go
 * on and `canLose` more drives may go before writes stop. read-only: below
 * write quorum, above read quorum. offline: below read quorum.
 */
export type SetState = 'healthy' | 'degraded' | 'read-only' | 'offline';

export interface SetHealth {
  index: number;
  k: number;
  m: number;
  state: SetState;
  /** More drives this set may lose and still take writes (0 when read-only or offline). */
  canLose: number;
  drives: DriveHealth[];
}

/** Heal progress as the scanner and drive replacement report it (built by the healing side of issue 6). */
export interface HealProgress {
  /** What is healing: a sweep (`granary admin heal`, the scanner) or a replaced drive's rebuild. */
  kind: 'sweep' | 'drive';
  /** The replaced drive, for kind 'drive'. */
  drive?: string;
  objectsDone: number;
  objectsTotal?: number;
  bytesDone: number;
  bytesTotal?: number;
  /** Bytes per second over the recent past. */
  rate?: number;
  /** Seconds left, when a total is known. */
  etaSeconds?: number;
}

export interface HealthSnapshot {
  /** When the snapshot was taken (ISO time). */
  time: string;
  deploymentId: string;
  /** The worst set state. */
  state: SetState;
  sets: SetHealth[];
  /** The last event's id: resume the event stream after it with Last-Event-ID. */
  lastEventId: number;
  /** Heals under way, as the healing side reports them; empty when none. */
  healing: HealProgress[];
}

/** Fields every event carries. */
export interface HealthEventBase {
  /** Increasing from 1 for the life of the engine process; the SSE `id:`. */
  seq: number;
  /** ISO time. */
  time: string;
}

export type HealthEventBody =
  | { type: 'drive-state'; drive: string; set: number; slot: number; from: DriveState; to: DriveState; reason?: string }
  | { type: 'set-state'; set: number; from: SetState; to: SetState; canLose: number }
  | { type: 'heal-started'; heal: HealProgress }
  | { type: 'heal-progress'; heal: HealProgress }
  | { type: 'heal-finished'; heal: HealProgress; healed: number; failed: number }
  | { type: 'bitrot-found'; drive: string; set: number; slot: number; count: number; bucket?: string; key?: string }
  | { type: 'bitrot-repaired'; set: number; count: number; bucket?: string; key?: string }
  | { type: 'low-space'; drive: string; freeBytes: number; totalBytes: number }
  | { type: 'storage-full'; drive: string; freeBytes: number; totalBytes: number }
  | { type: 'space-returned'; drive: string; freeBytes: number; totalBytes: number };

export type HealthEvent = HealthEventBase & HealthEventBody;

export type HealthEventType = HealthEvent['type'];

export type HealthListener = (event: HealthEvent) => void;

/** What the engine offers its hosts (tray adapter, console, admin API). */
export interface HealthSource {
  snapshot(): HealthSnapshot;
  /** Every event from now on; returns the unsubscribe function. */
  on(listener: HealthListener): () => void;
  /** Events still in the ring with seq > afterSeq, oldest first; `complete` false when some were dropped from it. */
  since(afterSeq: number): { events: HealthEvent[]; complete: boolean };
}

/**
 * The SSE stream on the console port, `GET /api/v1/events`: each event is
 * `id: <seq>`, `event: <type>`, `data: <HealthEvent JSON>`; comments
 * (`: heartbeat`) keep the connection open. A reconnect with `Last-Event-ID`
 * replays what the bounded ring still holds; when events were lost it first
 * sends `event: resync` (data: the current HealthSnapshot).
 * The JSON snapshot: `GET /api/v1/health` (console, session) and
 * `GET /granary/admin/v1/health` (admin API, `admin:ServerInfo`).
 */
