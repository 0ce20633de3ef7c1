import type { DriveReport, DriveReports } from '../object/object-layer.js';
import { EventRing } from './event-ring.js';
import type { DriveHealth, DriveState, HealProgress, HealthEvent, HealthEventBody, HealthListener, HealthSnapshot, HealthSource, SetHealth } from '../api/health/types.js';
import { setStateOf, worst } from './set-state.js';
import type { SmartInfo } from './smart-info.js';

export interface HealthMonitorOptions {
  /** The drives' monitors, through the object layer. */
  reports: () => DriveReports;
  smart?: SmartInfo;
  /** How often drive states are compared for events. */
  pollMs?: number;
  /** Events a reconnecting stream can replay. */
  ringSize?: number;
  /** Where events are recorded for audit (heal progress ticks are left out: they are not decisions). */
  record?: (event: HealthEvent) => void;
  log?: (line: string) => void;
}

interface Seen { state: DriveState; space: DriveHealth['space']; bitrot: number }

/**
 * The one health event stream: polls the drives' monitors, turns changes into
 * numbered events (drive state, set state, space, bitrot), takes heal events
 * from the healing side through `publish`, and hands every event to its
 * listeners (console SSE, tray adapter) and the audit log.
 */
export class HealthMonitor implements HealthSource {
  private readonly ring: EventRing;
  private readonly listeners = new Set<HealthListener>();
  private readonly seen = new Map<string, Seen>();
  private readonly setStates = new Map<number, SetHealth['state']>();
  private healing: HealProgress[] = [];
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly opts: HealthMonitorOptions) {
    this.ring = new EventRing(opts.ringSize ?? 1000);
    // The first look sets the baseline: what was already so at start is in the snapshot, not an event.
    this.compare(this.build(), false);
  }

  start(): void {
    this.opts.smart?.start();
    this.timer = setInterval(() => this.poll(), this.opts.pollMs ?? 1000);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
    this.opts.smart?.stop();
    this.listeners.clear();
  }

  snapshot(): HealthSnapshot {
    return this.build();
  }

  on(listener: HealthListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  since(afterSeq: number): { events: HealthEvent[]; complete: boolean } {
    return this.ring.since(afterSeq);
  }

  /** For the healing side: heal-started/progress/finished and bitrot-repaired enter the stream here. */
  publish(body: HealthEventBody): HealthEvent {
    if (body.type === 'heal-started' || body.type === 'heal-progress') this.setHealing(body.heal);
    if (body.type === 'heal-finished') this.healing = this.healing.filter((h) => !sameHeal(h, body.heal));
    return this.emit(body);
  }

  /** Looks at the drives now (the timer does it every pollMs). */
  poll(): void {
    try {
      this.compare(this.build(), true);
    } catch (err) {
      this.opts.log?.(`health: ${(err as Error).message}`);
    }
  }

  private setHealing(heal: HealProgress): void {
    this.healing = [...this.healing.filter((h) => !sameHeal(h, heal)), heal];
  }

  private emit(body: HealthEventBody): HealthEvent {
    const event = this.ring.push(body);
    if (event.type !== 'heal-progress') {
      try {
        this.opts.record?.(event);
      } catch (err) {
        this.opts.log?.(`health: recording an event failed: ${(err as Error).message}`);
      }
    }
    for (const l of this.listeners) {
      try {
        l(event);
      } catch (err) {
        this.opts.log?.(`health: a listener failed: ${(err as Error).message}`);
      }
    }
    return event;
  }

  private compare(snap: HealthSnapshot, announce: boolean): void {
    for (const set of snap.sets) {
      for (const d of set.drives) {
        const key = `${set.index}:${d.slot}`;
        const was = this.seen.get(key);
        this.seen.set(key, { state: d.state, space: d.space, bitrot: d.counters.bitrot });
        if (!was || !announce) continue;
        const drive = d.path ?? `set ${set.index} slot ${d.slot}`;
        if (was.state !== d.state) {
          this.emit({ type: 'drive-state', drive, set: set.index, slot: d.slot, from: was.state, to: d.state, ...(d.lastError && d.state !== 'online' ? { reason: d.lastError.message } : {}) });
        }
        if (was.space !== d.space) {
          const space = { drive, freeBytes: d.freeBytes ?? 0, totalBytes: d.totalBytes ?? 0 };
          if (d.space === 'full') this.emit({ type: 'storage-full', ...space });
          else if (was.space === 'full') this.emit({ type: 'space-returned', ...space });
          else if (d.space === 'low') this.emit({ type: 'low-space', ...space });
          else this.emit({ type: 'space-returned', ...space });
        }
        if (d.counters.bitrot > was.bitrot) {
          this.emit({ type: 'bitrot-found', drive, set: set.index, slot: d.slot, count: d.counters.bitrot - was.bitrot });
        }
      }
      const before = this.setStates.get(set.index);
      this.setStates.set(set.index, set.state);
      if (announce && before !== undefined && before !== set.state) this.emit({ type: 'set-state', set: set.index, from: before, to: set.state, canLose: set.canLose });
    }
  }

  private build(): HealthSnapshot {
    const reports = this.opts.reports();
    const sets: SetHealth[] = reports.sets.map((s) => {
      const drives = s.drives.map((r) => this.driveHealth(r));
      return { index: s.index, k: s.k, m: s.m, ...setStateOf(drives.map((d) => d.state), s.k, s.writeQuorum), drives };
    });
    return {
      time: new Date().toISOString(),
      deploymentId: reports.deploymentId,
      state: worst(sets.map((s) => s.state)),
      sets,
      lastEventId: this.ring?.lastSeq ?? 0,
      healing: [...this.healing],
    };
  }

  private driveHealth(r: DriveReport): DriveHealth {
    const st = r.status;
    const smart = r.path ? this.opts.smart?.forPath(r.path) : undefined;
    const empty = { p50: null, p99: null, samples: 0 };
    let state: DriveState;
    // A blank folder says more than the errors its reads now get: it is waiting to be taken in (engine/heal).
    if (r.unformatted) state = 'unformatted';
    // Formatted and marked, being opened into the set (engine/heal/healer.ts adopt): already the rebuild's.
    else if (!st && r.healing && !r.openError) state = 'healing';
    else if (!st) state = 'offline';
    else if (st.state === 'offline') state = 'offline';
    else if (r.healing) state = 'healing';
    else if (st.failing) state = 'faulty';
    else state = 'online';
    const lastError = st?.lastError
      ? { message: st.lastError.message, kind: st.lastError.kind, time: new Date(st.lastError.time).toISOString() }
      : r.openError
        ? { message: r.openError, kind: 'offline', time: new Date(0).toISOString() }
        : undefined;
    return {
      path: r.path,
      set: r.set,
      slot: r.slot,
      state,
      space: st?.space ?? 'ok',
      ...(lastError ? { lastError } : {}),
      latency: st ? st.latency : { read: empty, write: empty },
      ...(st?.totalBytes !== undefined ? { totalBytes: st.totalBytes } : {}),
      ...(st?.freeBytes !== undefined ? { freeBytes: st.freeBytes } : {}),
      counters: st ? { ...st.counters } : { ioErrors: 0, bitrot: 0, timeouts: 0 },
      ...(smart ? { smart } : {}),
      since: new Date(st?.since ?? 0).toISOString(),
    };
  }
}

function sameHeal(a: HealProgress, b: HealProgress): boolean {
  return a.kind === b.kind && a.drive === b.drive;
}
