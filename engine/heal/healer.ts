import { randomUUID } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { GranaryError } from '../common/errors.js';
import { FORMAT_FILE, META_DIR, writeFormat } from '../drive/format.js';
import { DriveError } from '../drive/drive-error.js';
import { existsOnDrive, onDrive } from '../drive/drive-looks.js';
import { driveMonitorOptions } from '../drive/drive-monitor.js';
import { LocalDrive } from '../drive/local-drive.js';
import { clearHealing, HEALING_FILE, markHealing } from '../erasure/deployment.js';
import type { ErasureSet } from '../erasure/erasure-set.js';
import type { ErasureObjectLayer } from '../object/erasure-object-layer.js';
import { zeroCounts, type HealEvent, type HealListener, type HealStatus, type SweepOptions, type SweepStatus } from './heal-types.js';
import { replacementTarget, type ReplacementTarget } from './replacement-target.js';
import { runSweep } from './sweep.js';

export interface HealerConfig {
  /** Seconds between background scanner cycles; 0 turns the scanner off. */
  intervalSeconds: number;
  /** Objects per second the background scanner checks; 0: unpaced. */
  pace: number;
  /**
   * MiB per second the background scanner may read and write (a deep check
   * reads every shard; a repair reads k shards and writes the lost ones);
   * 0: no limit. With the object pace and the wait for a quiet moment before
   * each object, what keeps foreground traffic first on a small box.
   */
  ioMiBps: number;
  /** Every Nth scanner cycle is a deep one (reads and hashes every shard); 0: never. */
  deepEvery: number;
  /** Orphans and staging leftovers younger than this are left alone. */
  graceSeconds: number;
  /** How often drives are looked at for a wiped folder or a pending rebuild. */
  watchSeconds: number;
}

export const DEFAULT_HEALER_CONFIG: HealerConfig = { intervalSeconds: 3600, pace: 100, ioMiBps: 64, deepEvery: 24, graceSeconds: 3600, watchSeconds: 2 };

export interface SweepRequest {
  bucket?: string;
  prefix?: string;
  deep?: boolean;
  dryRun?: boolean;
}

/**
 * Objects in flight per kind of walk. A rebuild wants the drive back soon
 * (four overlap reads, decoding and fsyncs); a sweep someone asked for, two;
 * the background scanner stays at one, paced.
 */
const CONCURRENCY = { rebuild: 8, sweep: 2, scan: 1 } as const;

/** Progress events at most this often per sweep; start and finish always. */
const PROGRESS_EVERY_MS = 500;

/**
 * Keeps the objects of every set healthy: the background scanner (quick
 * cycles at a gentle pace, a deep one now and then), sweeps on demand, and
 * the rebuild of a blank drive formatted in place of a lost one, whether the
 * server was restarted with a blank folder or the folder was emptied while
 * it ran. Progress is a status object and a stream of events.
 */
export class Healer {
  private readonly listeners = new Set<HealListener>();
  private sweep: SweepStatus | null = null;
  private scan: SweepStatus | null = null;
  private readonly rebuilds = new Map<string, SweepStatus>();
  private readonly running = new Set<Promise<void>>();
  private cycles = 0;
  private nextCycleAt: number | undefined;
  private scanTimer: NodeJS.Timeout | undefined;
  private watchTimer: NodeJS.Timeout | undefined;
  private watching: Promise<void> | null = null;
  /** Drives that failed to reopen, by path: when to try again. */
  private readonly reopenAfter = new Map<string, number>();
  private closed = false;

  constructor(private readonly layer: ErasureObjectLayer, private readonly config: HealerConfig, private readonly log: (line: string) => void = () => undefined) {}

  start(): void {
    this.watchTimer = setInterval(() => void this.watchDrives(), this.config.watchSeconds * 1000);
    this.watchTimer.unref();
    void this.watchDrives();
    this.scheduleScan();
  }

  async close(): Promise<void> {
    this.closed = true;
    clearInterval(this.watchTimer);
    clearTimeout(this.scanTimer);
    await this.watching;
    await Promise.all(this.running);
  }

  /** Subscribes to heal events; returns the unsubscribe function. */
  onEvent(listener: HealListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  status(): HealStatus {
    return {
      sweep: this.sweep && { ...this.sweep },
      scan: this.scan && { ...this.scan },
      rebuilds: [...this.rebuilds.values()].map((r) => ({ ...r })),
      scanner: {
        intervalSeconds: this.config.intervalSeconds,
        pace: this.config.pace,
        ioMiBps: this.config.ioMiBps,
        deepEvery: this.config.deepEvery,
        graceSeconds: this.config.graceSeconds,
        cycles: this.cycles,
        ...(this.nextCycleAt ? { nextCycleAt: new Date(this.nextCycleAt).toISOString() } : {}),
      },
    };
  }

  /** Starts an on-demand sweep and returns its status; its progress shows in `status()`. */
  async startSweep(req: SweepRequest): Promise<SweepStatus> {
    if (req.prefix !== undefined && req.bucket === undefined) throw new GranaryError('InvalidInput', 'A prefix needs a bucket.');
    if (req.bucket !== undefined) await this.layer.headBucket(req.bucket);
    if (this.sweep?.state === 'running') throw new GranaryError('InvalidRequest', `A heal sweep is already running (${this.sweep.id}); see its progress with "granary admin heal status".`);
    const whole = req.bucket === undefined;
    const status = newStatus('sweep', { ...(req.bucket !== undefined ? { bucket: req.bucket } : {}), ...(req.prefix ? { prefix: req.prefix } : {}), deep: req.deep ?? false, dryRun: req.dryRun ?? false, pace: 0 });
    this.sweep = status;
    this.run(status, this.allSets(), whole);
    return { ...status };
  }

  // ---- background scanner -----------------------------------------------------

  private scheduleScan(): void {
    if (this.config.intervalSeconds <= 0 || this.closed) return;
    this.nextCycleAt = Date.now() + this.config.intervalSeconds * 1000;
    this.scanTimer = setTimeout(() => {
      this.nextCycleAt = undefined;
      // An on-demand sweep covers the same ground: the cycle waits for the next turn.
      if (this.sweep?.state === 'running' || this.scan?.state === 'running') return this.scheduleScan();
      this.cycles++;
      const deep = this.config.deepEvery > 0 && this.cycles % this.config.deepEvery === 0;
      const status = newStatus('scan', { deep, dryRun: false, pace: this.config.pace, ioBytesPerSecond: this.config.ioMiBps * 1024 * 1024 });
      this.scan = status;
      const done = this.run(status, this.allSets(), true);
      void done.then(() => this.scheduleScan());
    }, this.config.intervalSeconds * 1000);
    this.scanTimer.unref();
  }

  // ---- drive replacement ------------------------------------------------------

  /** Finds drives emptied while the server runs (reformats them in place) and drives waiting for a rebuild. */
  private watchDrives(): Promise<void> {
    if (this.watching || this.closed) return this.watching ?? Promise.resolve();
    this.watching = (async () => {
      // Never settles in this turn, so `finally` cannot run before `watching` is set.
      await Promise.resolve();
      try {
        const late = await this.layer.placeLateDrives(WATCH_ANSWER_MS);
        for (const path of late.placed) this.log(`heal: drive ${path}, not placed at start, answers with its format: it takes its slot again`);
        for (const { path, driveId } of late.formatted) this.log(`heal: drive ${path}, blank at start, formatted in place of lost drive ${driveId} now that every drive answers, to be healed`);
        for (const [index, set] of this.layer.sets.entries()) {
          for (let slot = 0; slot < set.n; slot++) {
            if (this.closed) return;
            const d = set.drives[slot] ?? (await this.reopen(index, slot));
            if (!d) continue;
            const formatted = await presence(d, join(d.paths.meta, FORMAT_FILE));
            if (formatted === null) continue;
            if (!formatted) {
              await this.replaceInPlace(index, set, slot, d);
              continue;
            }
            const existing = this.rebuilds.get(d.root);
            if ((await presence(d, join(d.paths.meta, HEALING_FILE))) && existing?.state !== 'running' && !(existing?.state === 'failed' && Date.now() - Date.parse(existing.finishedAt ?? '') < 60_000)) {
              this.rebuild(index, set, d);
            }
          }
        }
      } catch (err) {
        this.log(`heal: watching drives failed: ${(err as Error).message}`);
      } finally {
        this.watching = null;
      }
    })();
    return this.watching;
  }

  /**
   * A drive that was offline when the engine started (it hung or failed),
   * once it answers again: back in its slot, marked for healing so that the
   * watcher rebuilds what it missed (and a restart meanwhile goes on with it).
   */
  private async reopen(index: number, slot: number): Promise<LocalDrive | null> {
    const path = this.layer.deployment.sets[index].paths[slot];
    if (!path || (this.reopenAfter.get(path) ?? 0) > Date.now()) return null;
    if (!(await existsOnDrive(path, join(path, META_DIR, FORMAT_FILE), WATCH_ANSWER_MS))) return null;
    const drive = await this.layer.reopenDrive(index, slot);
    if (!drive) {
      // Its format file answers but the drive does not open (a damaged DB?): each try starts two threads, so not every round.
      this.reopenAfter.set(path, Date.now() + REOPEN_BACKOFF_MS);
      return null;
    }
    this.reopenAfter.delete(path);
    this.log(`heal: drive ${path} answers again: back in set ${index}, to be healed of what it missed`);
    try {
      await markHealing(path, driveMonitorOptions().timeoutMs);
    } catch (err) {
      // Unmarked, it is still served from and written to; the scanner heals what it missed.
      this.log(`heal: drive ${path} could not be marked for healing: ${(err as Error).message}`);
    }
    return drive;
  }

  /**
   * The folder of an online drive lost its format file: it was emptied (or
   * swapped for a blank disk at the same mount point). It gets the lost
   * drive's identity back, the healing marker, the set's buckets, and a
   * rebuild. A folder that is gone altogether is left alone: that is an
   * offline drive, not a blank one.
   */
  private async replaceInPlace(index: number, set: ErasureSet, slot: number, old: LocalDrive): Promise<void> {
    if (!(await presence(old, old.root))) return;
    let ref: LocalDrive | undefined;
    for (const d of set.drives) {
      if (d && d !== old && (await presence(d, join(d.paths.meta, FORMAT_FILE)))) {
        ref = d;
        break;
      }
    }
    if (!ref) return;
    this.log(`heal: drive ${old.root} was emptied while the server ran: formatting it in place of drive ${old.id}`);
    try {
      await this.adopt({ set: index, slot, driveId: old.id, reference: ref, old, oldPath: old.root, newPath: old.root });
    } catch (err) {
      this.log(`heal: drive ${old.root} could not be reopened: ${(err as Error).message}`);
    }
  }

  /**
   * `granary admin drive replace OLD NEW`: the blank folder NEW takes the
   * place of drive OLD (lost, or forced out) and is rebuilt; progress shows
   * in status() and the event stream like any rebuild. The caller records
   * the replacement so that a restart naming OLD uses NEW.
   */
  async replaceDrive(oldPath: string, newPath: string, opts: { force?: boolean } = {}): Promise<{ set: number; slot: number; driveId: string; old: string; new: string }> {
    if (this.closed) throw new GranaryError('ServiceUnavailable', 'The server is stopping.');
    const ms = driveMonitorOptions().timeoutMs;
    const target = await replacementTarget(this.layer, oldPath, newPath, opts.force ?? false, Math.min(ms, WATCH_ANSWER_MS));
    try {
      await onDrive(target.newPath, 'write', 'creating its folder', ms, () => mkdir(target.newPath, { recursive: true }));
    } catch (err) {
      throw replacementFailed(target.newPath, err);
    }
    this.log(`heal: drive ${target.oldPath} replaced by ${target.newPath} (drive ${target.driveId} of set ${target.set})`);
    await this.adopt(target);
    return { set: target.set, slot: target.slot, driveId: target.driveId, old: target.oldPath, new: target.newPath };
  }

  /** Formats `newPath` as the slot's drive, opens it in the set with the set's buckets, and starts its rebuild. */
  private async adopt(t: ReplacementTarget): Promise<void> {
    const set = this.layer.sets[t.set];
    const ms = driveMonitorOptions().timeoutMs;
    // Formatted before the old drive leaves its slot: a new disk that hangs or fails here changes nothing.
    try {
      await writeFormat(t.newPath, { ...t.reference.format, driveId: t.driveId, createdAt: new Date().toISOString() }, ms);
      await markHealing(t.newPath, ms);
    } catch (err) {
      throw replacementFailed(t.newPath, err);
    }
    // Opened and given the set's buckets before it takes the slot: the slot is never empty, so the health
    // model never shows the drive offline on its way from unformatted to healing.
    const fresh = await LocalDrive.open(t.newPath);
    await set.giveBuckets(fresh);
    set.ctx.drives[t.slot] = fresh;
    this.layer.deployment.sets[t.set].paths[t.slot] = t.newPath;
    // Not awaited: the drive being replaced may be a disk that hangs, whose threads never finish closing.
    void t.old?.close().catch(() => undefined);
    this.emit({ type: 'heal.drive-replaced', drive: t.newPath, set: t.set });
    this.rebuild(t.set, set, fresh);
  }

  private rebuild(index: number, set: ErasureSet, drive: LocalDrive): void {
    const status = newStatus('rebuild', { deep: false, dryRun: false, pace: 0 });
    status.drive = drive.root;
    this.rebuilds.set(drive.root, status);
    this.log(`heal: rebuilding drive ${drive.root}`);
    void this.run(status, [{ index, set }], false, drive, async () => {
      if (status.errors === 0 && set.drives.includes(drive)) {
        try {
          await clearHealing(drive.root, driveMonitorOptions().timeoutMs);
        } catch (err) {
          // The marker stays, so the watcher rebuilds the drive again: a drive that cannot remove a file is not whole.
          status.state = 'failed';
          status.lastError = (err as Error).message;
          this.log(`heal: drive ${drive.root} rebuilt, but its healing marker could not be removed: ${(err as Error).message}`);
          return;
        }
        this.log(`heal: drive ${drive.root} rebuilt (${status.objectsDone} objects, ${status.bytesDone} bytes)`);
      } else {
        // Some objects could not be rebuilt yet: the marker stays and the watcher tries again.
        status.state = 'failed';
      }
    });
  }

  // ---- running a sweep --------------------------------------------------------

  private allSets(): { index: number; set: ErasureSet }[] {
    return this.layer.sets.map((set, index) => ({ index, set }));
  }

  /** `rebuilding` is a rebuild's drive; `finish` runs once the walk completed, before the finished event. */
  private run(status: SweepStatus, sets: { index: number; set: ErasureSet }[], collect: boolean, rebuilding?: LocalDrive, finish?: () => Promise<void>): Promise<void> {
    let lastProgress = 0;
    this.emit({ type: 'heal.started', sweep: { ...status } });
    const p = runSweep(status, {
      sets,
      collect,
      ...(rebuilding ? { rebuilding } : {}),
      concurrency: CONCURRENCY[status.kind],
      graceMs: this.config.graceSeconds * 1000,
      aborted: () => this.closed,
      progress: () => {
        const now = Date.now();
        if (now - lastProgress < PROGRESS_EVERY_MS) return;
        lastProgress = now;
        this.emit({ type: 'heal.progress', sweep: { ...status } });
      },
      bitrot: (bucket, key, drive, reason, repaired) => this.emit({ type: 'heal.bitrot', bucket, key, drive, reason, repaired }),
    }).then(
      async () => {
        if (this.closed) {
          status.state = 'aborted';
          return;
        }
        // Still 'running' while `finish` works: a poll must not see 'done' short of 100 %, nor the watcher a finished
        // rebuild whose healing marker is still there (it would start another).
        await finish?.();
        if (status.state !== 'running') return;
        status.percent = 100;
        status.etaSeconds = 0;
        status.state = 'done';
      },
      (err: unknown) => {
        status.state = 'failed';
        status.lastError = (err as Error).message;
        this.log(`heal: ${status.kind} ${status.id} failed: ${(err as Error).message}`);
      },
    ).finally(() => {
      status.finishedAt = new Date().toISOString();
      this.running.delete(p);
      this.emit({ type: 'heal.finished', sweep: { ...status } });
    });
    this.running.add(p);
    return p;
  }

  private emit(event: HealEvent): void {
    for (const l of this.listeners) {
      try {
        l(event);
      } catch {
        // A listener's failure is its own.
      }
    }
  }
}

/** A new drive that could not be formatted: the admin call's answer says why, and the set is as it was. */
function replacementFailed(path: string, err: unknown): GranaryError {
  const why = err instanceof DriveError && err.kind === 'timeout' ? 'it did not answer in time' : (err as Error).message;
  return new GranaryError('InvalidRequest', `${path} cannot be formatted as a drive: ${why}.`);
}

/** How long a drive that failed to reopen waits for the next try. */
const REOPEN_BACKOFF_MS = 30_000;

/** How long the watcher waits for a drive to say whether a file is there before it passes the drive by, this round. */
const WATCH_ANSWER_MS = 5000;

/** Whether `path` exists on `drive`, or null when the drive did not say in time: see existsOnDrive. */
const presence = (drive: LocalDrive, path: string) => existsOnDrive(drive.root, path, WATCH_ANSWER_MS);

function newStatus(kind: SweepStatus['kind'], options: SweepOptions): SweepStatus {
  return {
    id: randomUUID(),
    kind,
    state: 'running',
    options,
    startedAt: new Date().toISOString(),
    objectsDone: 0,
    objectsTotal: 0,
    bytesDone: 0,
    bytesTotal: 0,
    percent: 0,
    rate: 0,
    etaSeconds: null,
    found: zeroCounts(),
    fixed: zeroCounts(),
    errors: 0,
  };
}
