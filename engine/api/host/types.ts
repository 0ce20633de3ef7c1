/**
 * The engine ⇄ desktop shell contract: the messages of the engine process and
 * its host (Electron's utility-process parent, or a Node parent over IPC).
 * Types only: the shell compiles against it with `import type`, so nothing of
 * the engine is loaded into Electron's main process.
 */

/** How the drives are doing, reduced to what a tray icon and its tooltip show. */
export interface HealthSummary {
  /**
   * The worst erasure set decides: `ok` all drives online; `degraded` some
   * offline but writes go on; `read-only` below write quorum; `offline` below
   * read quorum (objects cannot be read).
   */
  state: 'ok' | 'degraded' | 'read-only' | 'offline';
  drivesOnline: number;
  drivesTotal: number;
  /** Drives formatted in place of lost ones and waiting to be rebuilt. */
  drivesHealing: number;
  /** One short sentence per problem, for a tooltip or a notification. */
  problems: string[];
}

/** The engine listens. In setup mode only the console answers, at `setupUrl`; a second `ready` follows once setup is done. */
export type ReadyMessage =
  | { type: 'ready'; s3Url: string; consoleUrl: string; setupUrl?: undefined }
  | { type: 'ready'; setupUrl: string; consoleUrl: string; s3Url?: undefined };

export type EngineToHost =
  | ReadyMessage
  /** Sent after `ready` (running), then whenever it changes and at a steady interval. */
  | { type: 'health'; summary: HealthSummary }
  /** `fatal`: the engine exits after this message (start-up failed, or it broke); otherwise it serves on. */
  | { type: 'error'; message: string; fatal: boolean }
  /** Sent after a graceful shutdown closed the ports and the databases; the process exits 0 right after. */
  | { type: 'stopped' };

export type HostToEngine =
  /** Stop accepting requests, finish those in flight, close the databases, answer `stopped`, exit 0. */
  { type: 'shutdown' };
