import { DriveError, driveErrorFrom, type DriveErrorKind } from './drive-error.js';
import { faultApplies, injectedFault } from './drive-faults.js';
import { driveSpace } from './drive-looks.js';
import { LatencyWindow } from './latency-window.js';

export type DriveOpKind = 'read' | 'write';
export type SpaceState = 'ok' | 'low' | 'full';

export interface DriveMonitorOptions {
  /** An operation over this budget counts as a timeout and the request goes on without the drive. */
  timeoutMs: number;
  /** Consecutive failures (errors or timeouts) that take the drive offline. */
  failLimit: number;
  /** How often an offline drive is probed, and free space looked at. */
  probeMs: number;
}

/**
 * Defaults, overridable from the environment as MinIO's MINIO_DRIVE_MAX_TIMEOUT
 * is: GRANARY_DRIVE_TIMEOUT_MS, GRANARY_DRIVE_PROBE_MS.
 */
export function driveMonitorOptions(env: NodeJS.ProcessEnv = process.env): DriveMonitorOptions {
  const num = (v: string | undefined, d: number) => (v !== undefined && /^\d+$/.test(v) && Number(v) > 0 ? Number(v) : d);
  return { timeoutMs: num(env.GRANARY_DRIVE_TIMEOUT_MS, 30_000), failLimit: 3, probeMs: num(env.GRANARY_DRIVE_PROBE_MS, 5_000) };
}

/** Below this share of the total, space is low (an event, writes go on). */
const LOW_FRACTION = 0.1;
/** Writes are refused below min(1 % of the total, 256 MiB) free, as MinIO keeps a minimum free drive threshold. */
const RESERVE_FRACTION = 0.01;
const RESERVE_MAX = 256 * 1024 * 1024;
/** The longest an async operation may go unanswered before its drive counts as lagging (see `lagging`). */
const MAX_LAG_MS = 2_000;
/** After a real ENOSPC, space counts as returned only once this much more is free than when it struck. */
const REFILL_MARGIN = 1024 * 1024;

export interface DriveStatus {
  state: 'online' | 'offline';
  since: number;
  reason?: string;
  /** The last operation failed (not yet enough in a row to take the drive offline). */
  failing: boolean;
  lastError?: { message: string; kind: DriveErrorKind; time: number };
  counters: { ioErrors: number; bitrot: number; timeouts: number };
  latency: { read: ReturnType<LatencyWindow['summary']>; write: ReturnType<LatencyWindow['summary']> };
  space: SpaceState;
  totalBytes?: number;
  freeBytes?: number;
}

/**
 * One drive's health as its operations show it: latency, error and timeout
 * counts, free space. Every async operation runs under a deadline; a drive that
 * fails `failLimit` times in a row, or whose synchronous read held the engine
 * past the deadline once, is taken offline (its operations then fail at once,
 * so no request waits on it) and probed until it answers again.
 */
export class DriveMonitor {
  private state: 'online' | 'offline' = 'online';
  private since = Date.now();
  private reason: string | undefined;
  private lastError: DriveStatus['lastError'];
  private readonly counters = { ioErrors: 0, bitrot: 0, timeouts: 0 };
  private readonly read = new LatencyWindow();
  private readonly write = new LatencyWindow();
  private failures = 0;
  private space: SpaceState = 'ok';
  private totalBytes: number | undefined;
  private freeBytes: number | undefined;
  /** Free bytes when a write last hit ENOSPC: space is back only above this. */
  private fullAt: number | undefined;
  /** The ENOSPC came from the test hook: space is back when the hook stops saying so. */
  private fullInjected = false;
  /** Start times of the async operations under way, oldest first (a Map keeps insertion order). */
  private readonly underWay = new Map<number, number>();
  private nextOp = 0;
  private timer: NodeJS.Timeout | undefined;
  private probing = false;
  private closed = false;

  constructor(readonly root: string, private readonly opts: DriveMonitorOptions, private readonly probe: () => Promise<void>) {}

  start(): void {
    void this.tick();
    this.timer = setInterval(() => void this.tick(), this.opts.probeMs);
    this.timer.unref();
  }

  stop(): void {
    this.closed = true;
    clearInterval(this.timer);
  }

  get online(): boolean { return this.state === 'online'; }

  /**
   * An async operation has been under way for a quarter of its deadline (at
   * most 2 s) and has not answered yet: the disk may be hanging, before any
   * deadline has said so. Readers that can do without the drive leave it
   * alone (a key's versions in ErasureSet, listings); it is not an error,
   * and nothing is counted.
   */
  get lagging(): boolean {
    const oldest = this.underWay.values().next();
    return !oldest.done && performance.now() - oldest.value > this.lagMs;
  }

  /** How long an operation may go unanswered before its drive is lagging. */
  get lagMs(): number {
    return Math.min(this.opts.timeoutMs / 4, MAX_LAG_MS);
  }

  get full(): boolean { return this.space === 'full'; }

  status(): DriveStatus {
    return {
      state: this.state,
      since: this.since,
      failing: this.failures > 0,
      ...(this.reason ? { reason: this.reason } : {}),
      ...(this.lastError ? { lastError: { ...this.lastError } } : {}),
      counters: { ...this.counters },
      latency: { read: this.read.summary(), write: this.write.summary() },
      space: this.space,
      ...(this.totalBytes !== undefined ? { totalBytes: this.totalBytes } : {}),
      ...(this.freeBytes !== undefined ? { freeBytes: this.freeBytes } : {}),
    };
  }

  noteBitrot(): void {
    this.counters.bitrot++;
  }

  /** Runs one async operation of the drive under its deadline, counting what happens. */
  async run<T>(kind: DriveOpKind, what: string, fn: () => Promise<T>, opts: { freesSpace?: boolean } = {}): Promise<T> {
    if (this.state === 'offline') throw new DriveError('offline', `${this.root}: offline (${this.reason ?? 'not answering'}): ${what}`);
    if (kind === 'write' && this.space === 'full' && !opts.freesSpace) throw new DriveError('full', `${this.root}: no space left for ${what}`);
    return this.guarded(kind, what, fn);
  }

  private async guarded<T>(kind: DriveOpKind, what: string, fn: () => Promise<T>): Promise<T> {
    const started = performance.now();
    const op = this.nextOp++;
    this.underWay.set(op, started);
    const abort = new AbortController();
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        abort.abort();
        reject(new DriveError('timeout', `${this.root}: ${what} took over ${this.opts.timeoutMs} ms`));
      }, this.opts.timeoutMs);
    });
    const work = (async () => {
      const fault = injectedFault(this.root);
      if (faultApplies(fault, kind)) {
        if (fault.delayMs) await abortableSleep(fault.delayMs, abort.signal);
        if (fault.error) throw injectedError(fault.error, what);
      }
      return fn();
    })();
    try {
      const out = await Promise.race([work, deadline]);
      (kind === 'read' ? this.read : this.write).record(performance.now() - started);
      this.succeeded();
      return out;
    } catch (err) {
      work.catch(() => undefined);
      throw this.failed(driveErrorFrom(err, `${this.root}: ${what}`));
    } finally {
      clearTimeout(timer);
      this.underWay.delete(op);
    }
  }

  /** Its last operation ran out of time and none has answered since: the disk may hang. */
  private get suspect(): boolean {
    return this.failures > 0 && this.lastError?.kind === 'timeout';
  }

  private succeeded(): void {
    this.failures = 0;
  }

  private failed(err: DriveError): DriveError {
    // A missing shard or row is an answer, not a drive fault.
    if (err.kind === 'notFound') {
      this.failures = 0;
      return err;
    }
    this.lastError = { message: err.message, kind: err.kind, time: Date.now() };
    if (err.kind === 'full') {
      if ((err.cause as { injected?: boolean } | undefined)?.injected) this.fullInjected = true;
      else this.fullAt = this.freeBytes ?? 0;
      this.space = 'full';
      return err;
    }
    if (err.kind === 'timeout') this.counters.timeouts++;
    else this.counters.ioErrors++;
    if (++this.failures >= this.opts.failLimit && this.state === 'online') {
      this.setState('offline', `${this.failures} failed operations in a row, the last: ${err.kind === 'timeout' ? 'a timeout' : err.message}`);
    }
    return err;
  }

  private setState(state: 'online' | 'offline', reason?: string): void {
    this.state = state;
    this.since = Date.now();
    this.reason = reason;
  }

  /**
   * Space, and for an offline or suspect drive a probe: a write, fsync, read
   * and delete through the same hook and deadline. A suspect drive with no
   * traffic would otherwise never be asked again; one that still hangs fails
   * its probes into offline.
   */
  private async tick(): Promise<void> {
    if (this.probing || this.closed) return;
    this.probing = true;
    try {
      await this.measureSpace();
      if (this.state === 'offline' || this.suspect) {
        try {
          await this.guarded('write', 'probe', this.probe);
          this.failures = 0;
          if (this.state === 'offline') this.setState('online');
        } catch {
          // Still not answering: try again at the next tick.
        }
      }
    } finally {
      this.probing = false;
    }
  }

  private async measureSpace(): Promise<void> {
    const fault = injectedFault(this.root);
    const space = await driveSpace(this.root, this.opts.timeoutMs);
    if (!space) return;
    const { totalBytes: total, freeBytes: free } = space;
    this.totalBytes = total;
    this.freeBytes = free;
    const reserve = Math.min(total * RESERVE_FRACTION, RESERVE_MAX);
    let next: SpaceState = free < reserve ? 'full' : free < total * LOW_FRACTION ? 'low' : 'ok';
    if (this.fullInjected) {
      if (fault?.error === 'full') next = 'full';
      else this.fullInjected = false;
    }
    if (next !== 'full' && this.fullAt !== undefined) {
      if (free < this.fullAt + REFILL_MARGIN) next = 'full';
      else this.fullAt = undefined;
    }
    this.space = next;
  }
}

function injectedError(kind: 'io' | 'full', what: string): Error {
  const code = kind === 'full' ? 'ENOSPC' : 'EIO';
  return Object.assign(new Error(`${code}: injected by the test fault hook, ${what}`), { code, injected: true });
}

function abortableSleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const t = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => {
      clearTimeout(t);
      reject(new Error('abandoned after its deadline'));
    }, { once: true });
  });
}
