import { fork, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import type { EngineToHost, HostToEngine } from '../../engine/api/host/types.js';

export const ENGINE_ENTRY = join(import.meta.dirname, '../../engine/host/engine-process.ts');

/** The engine entry forked as the desktop shell would, but over Node's IPC channel: every message kept, in order. */
export interface EngineChild {
  child: ChildProcess;
  messages: EngineToHost[];
  output: () => string;
  /** The next message of this type after the `from`-th (default: any already received counts). */
  next<T extends EngineToHost['type']>(type: T, from?: number, timeoutMs?: number): Promise<Extract<EngineToHost, { type: T }>>;
  send(m: HostToEngine): void;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  kill(): Promise<void>;
}

export function forkEngine(args: string[], env: Record<string, string | undefined> = {}): EngineChild {
  const child = fork(ENGINE_ENTRY, args, {
    execArgv: ['--import', 'tsx'],
    env: Object.fromEntries(Object.entries({ PATH: process.env.PATH, HOME: process.env.HOME, ...env }).filter((e): e is [string, string] => e[1] !== undefined)),
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => { out += d.toString(); });
  child.stderr!.on('data', (d: Buffer) => { out += d.toString(); });
  const messages: EngineToHost[] = [];
  const waiters = new Set<() => void>();
  child.on('message', (m) => {
    messages.push(m as EngineToHost);
    for (const w of waiters) w();
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once('exit', (code, signal) => {
    for (const w of waiters) w();
    resolve({ code, signal });
  }));
  return {
    child,
    messages,
    output: () => out,
    next: (type, from = 0, timeoutMs = 60_000) =>
      new Promise((resolve, reject) => {
        const check = () => {
          const found = messages.slice(from).find((m) => m.type === type);
          if (found) {
            waiters.delete(check);
            clearTimeout(timer);
            resolve(found as never);
          } else if (child.exitCode !== null || child.signalCode !== null) {
            waiters.delete(check);
            clearTimeout(timer);
            reject(new Error(`engine exited (${child.exitCode ?? child.signalCode}) before a ${type} message:\n${out}`));
          }
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`no ${type} message in ${timeoutMs} ms:\n${out}`));
        }, timeoutMs);
        waiters.add(check);
        check();
      }),
    send: (m) => child.send(m),
    exited,
    kill: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGKILL');
      await exited;
    },
  };
}
