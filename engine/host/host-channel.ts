import type { EngineToHost, HostToEngine } from '../api/host/types.js';

/** Electron's `process.parentPort` in a utility process, described here so the engine never imports Electron. */
interface ParentPort {
  postMessage(message: unknown): void;
  on(event: 'message', listener: (event: { data: unknown }) => void): unknown;
}

/** Where the engine's status goes: one API whatever the parent is. */
export interface HostChannel {
  /** `electron` (utility process), `ipc` (Node's child_process.fork) or `none` (a terminal). */
  readonly kind: 'electron' | 'ipc' | 'none';
  /** Resolves once the message is handed to the parent (so `stopped` is not lost to process.exit). */
  send(message: EngineToHost): Promise<void>;
  onMessage(listener: (message: HostToEngine) => void): void;
  /** Lets the process exit: an open IPC channel keeps Node alive. */
  close(): void;
}

/** A message from the host, or undefined for anything else (a host speaks only this protocol; the rest is ignored). */
export function parseHostMessage(data: unknown): HostToEngine | undefined {
  if (typeof data === 'object' && data !== null && (data as { type?: unknown }).type === 'shutdown') return { type: 'shutdown' };
  return undefined;
}

export function openHostChannel(proc: NodeJS.Process = process): HostChannel {
  const parentPort = (proc as unknown as { parentPort?: ParentPort | null }).parentPort;
  if (parentPort) {
    return {
      kind: 'electron',
      send: async (m) => parentPort.postMessage(m),
      onMessage: (listener) => {
        parentPort.on('message', (e) => {
          const m = parseHostMessage(e.data);
          if (m) listener(m);
        });
      },
      close: () => {},
    };
  }
  if (typeof proc.send === 'function' && proc.connected) {
    return {
      kind: 'ipc',
      send: (m) =>
        new Promise<void>((resolve) => {
          // A parent that went away is not worth crashing over: the engine still shuts down on its signals.
          if (!proc.connected) return resolve();
          proc.send!(m, undefined, {}, () => resolve());
        }),
      onMessage: (listener) => {
        proc.on('message', (data: unknown) => {
          const m = parseHostMessage(data);
          if (m) listener(m);
        });
      },
      close: () => {
        if (proc.connected) proc.disconnect?.();
      },
    };
  }
  return { kind: 'none', send: async () => {}, onMessage: () => {}, close: () => {} };
}
