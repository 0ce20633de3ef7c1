import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface RunningServer {
  endpoint: string;
  accessKey: string;
  secretKey: string;
  root: string;
  drives: string[];
  output: () => string;
  stop: () => Promise<void>;
}

export const ROOT_USER = 'granary-test-root';
export const ROOT_PASSWORD = 'Kq7!vR2#mW9zLp4x';

/** `granary server` as a real process on a random loopback port with temporary drive folders. */
/** An `env` value of undefined removes that variable (e.g. to start without root credentials). */
export async function startServer(opts: { drives?: number; args?: string[]; env?: Record<string, string | undefined>; root?: string } = {}): Promise<RunningServer & { kill: () => Promise<void> }> {
  const root = opts.root ?? mkdtempSync(join(tmpdir(), 'granary-srv-'));
  const drives = Array.from({ length: opts.drives ?? 4 }, (_, i) => join(root, `d${i + 1}`));
  const child: ChildProcess = spawn(
    process.execPath,
    ['--import', 'tsx', join(import.meta.dirname, '../../engine/cli/main.ts'), 'server', '--address', '127.0.0.1:0', '--console-address', '127.0.0.1:0', '--config-dir', join(root, 'config'), ...(opts.args ?? []), ...drives],
    { env: definedOnly({ PATH: process.env.PATH, HOME: process.env.HOME, GRANARY_ROOT_USER: ROOT_USER, GRANARY_ROOT_PASSWORD: ROOT_PASSWORD, ...opts.env }), stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let out = '';
  child.stdout!.on('data', (d: Buffer) => { out += d.toString(); });
  child.stderr!.on('data', (d: Buffer) => { out += d.toString(); });
  const endpoint = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start in 30 s:\n${out}`)), 30_000);
    const check = () => {
      // The console line is the last of the start-up lines (after any generated credentials).
      const m = /S3 API: (https?:\/\/[^\s]+)/.exec(out);
      if (m && /Console: /.test(out)) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    };
    child.stdout!.on('data', check);
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code}:\n${out}`));
    });
  });
  return {
    endpoint,
    accessKey: ROOT_USER,
    secretKey: ROOT_PASSWORD,
    root,
    drives,
    output: () => out,
    /** SIGKILL, as a power cut or a crash would end it; the folders stay. */
    kill: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGKILL');
      await exited;
    },
    stop: async () => {
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        await exited;
      }
      rmSync(root, { recursive: true, force: true });
    },
  };
}

function definedOnly(env: Record<string, string | undefined>): Record<string, string> {
  return Object.fromEntries(Object.entries(env).filter((e): e is [string, string] => e[1] !== undefined));
}

/** A clean environment for CLI clients: nothing from the developer's AWS_* settings leaks in. */
export function clientEnv(server: RunningServer, extra: Record<string, string> = {}): Record<string, string> {
  return {
    PATH: '/usr/bin:/bin',
    HOME: server.root,
    AWS_ACCESS_KEY_ID: server.accessKey,
    AWS_SECRET_ACCESS_KEY: server.secretKey,
    AWS_DEFAULT_REGION: 'us-east-1',
    AWS_CONFIG_FILE: join(server.root, 'aws-config'),
    AWS_SHARED_CREDENTIALS_FILE: join(server.root, 'aws-credentials'),
    ...extra,
  };
}
