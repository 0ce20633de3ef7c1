import type { EngineToHost, HostToEngine } from '../engine/api/host/types.js';
import type { EngineStatus } from './engine-status.js';

/** One run of the engine process, whatever forks it (Electron's utilityProcess, Node's child_process in tests). */
export interface EngineProcess {
  send(message: HostToEngine): void;
  /** Ends it at once (SIGKILL-like): only when a graceful shutdown does not finish. */
  kill(): void;
  onMessage(listener: (message: EngineToHost) => void): void;
  /** Once, when the process has ended. */
  onExit(listener: (code: number | null) => void): void;
}

export interface Clock {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout),
};

export interface RestartPolicy {
  /** The wait after the first crash; doubled after each further quick crash. */
  baseDelayMs: number;
  maxDelayMs: number;
  /** A run shorter than this ended in a "quick" crash: the same cause is likely to strike again. */
  quickCrashMs: number;
  /** Give up (and show why) after this many quick crashes in a row. */
  maxQuickCrashes: number;
  /** How long a graceful shutdown may take before the process is killed. */
  stopTimeoutMs: number;
}

export const DEFAULT_POLICY: RestartPolicy = { baseDelayMs: 1_000, maxDelayMs: 60_000, quickCrashMs: 60_000, maxQuickCrashes: 5, stopTimeoutMs: 30_000 };

/** The wait before restart number `quickCrashes` (1 for the first crash of a series). */
export function restartDelay(policy: RestartPolicy, quickCrashes: number): number {
  return Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.max(0, quickCrashes - 1));
}

/**
 * Keeps the engine running: starts it, follows its messages, restarts it with
 * exponential backoff when it dies, gives up after a series of quick crashes
 * (with the last reason it gave), and stops it gracefully on quit.
 */
export class Supervisor {
  private status: EngineStatus = { phase: 'stopped' };
  private current: EngineProcess | undefined;
  private startedAt = 0;
  private quickCrashes = 0;
  private lastError: string | undefined;
  private restartTimer: unknown;
  private stopping: Promise<void> | undefined;
  private readonly policy: RestartPolicy;
  private readonly clock: Clock;

  constructor(
    private readonly spawn: () => EngineProcess,
    private readonly opts: { onStatus: (s: EngineStatus) => void; policy?: Partial<RestartPolicy>; clock?: Clock },
  ) {
    this.policy = { ...DEFAULT_POLICY, ...opts.policy };
    this.clock = opts.clock ?? systemClock;
  }

  get state(): EngineStatus {
    return this.status;
  }

  /** Starts the engine (again, after it gave up or was stopped). */
  start(): void {
    if (this.current || this.stopping) return;
    this.clock.clearTimeout(this.restartTimer);
    this.restartTimer = undefined;
    this.launch();
  }

  /** Graceful: `shutdown`, then wait for the exit; killed after stopTimeoutMs. No restart follows. */
  stop(): Promise<void> {
    if (this.stopping) return this.stopping;
    this.clock.clearTimeout(this.restartTimer);
    this.restartTimer = undefined;
    const proc = this.current;
    if (!proc) {
      this.set({ phase: 'stopped' });
      return Promise.resolve();
    }
    this.set({ phase: 'stopping' });
    this.stopping = new Promise<void>((resolve) => {
      const killTimer = this.clock.setTimeout(() => proc.kill(), this.policy.stopTimeoutMs);
      proc.onExit(() => {
        this.clock.clearTimeout(killTimer);
        this.stopping = undefined;
        this.set({ phase: 'stopped' });
        resolve();
      });
      proc.send({ type: 'shutdown' });
    });
    return this.stopping;
  }

  private set(s: EngineStatus): void {
    this.status = s;
    this.opts.onStatus(s);
  }

  private launch(): void {
    this.lastError = undefined;
    this.startedAt = this.clock.now();
    this.set({ phase: 'starting' });
    let proc: EngineProcess;
    try {
      proc = this.spawn();
    } catch (err) {
      this.crashed(`the engine could not be started: ${(err as Error).message}`);
      return;
    }
    this.current = proc;
    proc.onMessage((m) => {
      if (this.current !== proc || this.stopping) return;
      this.message(m);
    });
    proc.onExit((code) => {
      if (this.current !== proc) return;
      this.current = undefined;
      if (this.stopping) return;
      this.crashed(this.lastError ?? (code === null ? 'the engine was killed' : `the engine exited with code ${code}`));
    });
  }

  private message(m: EngineToHost): void {
    switch (m.type) {
      case 'ready':
        this.set(m.s3Url !== undefined ? { phase: 'running', s3Url: m.s3Url, consoleUrl: m.consoleUrl } : { phase: 'setup', setupUrl: m.setupUrl, consoleUrl: m.consoleUrl });
        break;
      case 'health':
        if (this.status.phase === 'running') this.set({ ...this.status, health: m.summary });
        break;
      case 'error':
        // Kept as the reason to show if the process then dies.
        this.lastError = m.message;
        break;
      case 'stopped':
        break;
    }
  }

  private crashed(reason: string): void {
    const ran = this.clock.now() - this.startedAt;
    // A long healthy run ends a series: this crash starts counting afresh.
    this.quickCrashes = ran >= this.policy.quickCrashMs ? 1 : this.quickCrashes + 1;
    if (this.quickCrashes >= this.policy.maxQuickCrashes) {
      this.quickCrashes = 0;
      this.set({ phase: 'failed', reason });
      return;
    }
    const inMs = restartDelay(this.policy, this.quickCrashes);
    this.set({ phase: 'restarting', reason, attempt: this.quickCrashes, inMs });
    this.restartTimer = this.clock.setTimeout(() => {
      this.restartTimer = undefined;
      this.launch();
    }, inMs);
  }
}
