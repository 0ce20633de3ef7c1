import Database from 'better-sqlite3';
import { join } from 'node:path';
import type { HealStatus, SweepStatus } from '../../engine/heal/heal-types.js';
import { run } from '../helpers/run.js';
import type { RunningServer } from '../helpers/server.js';
import { signedFetch } from '../helpers/signed-fetch.js';

const MAIN = join(import.meta.dirname, '../../engine/cli/main.ts');

/** `granary admin ARGS` as a process with a clean environment. */
export function admin(s: RunningServer, args: string[]) {
  return run(process.execPath, ['--import', 'tsx', MAIN, 'admin', '--endpoint', s.endpoint, ...args], {
    PATH: '/usr/bin:/bin',
    HOME: s.root,
    GRANARY_ROOT_USER: s.accessKey,
    GRANARY_ROOT_PASSWORD: s.secretKey,
  }, { allowFail: true });
}

/** Runs a sweep through the CLI and returns its final report. */
export async function healSweep(s: RunningServer, args: string[] = []): Promise<SweepStatus> {
  const r = await admin(s, ['heal', '--json', ...args]);
  if (r.code !== 0) throw new Error(`heal ${args.join(' ')} exited ${r.code}: ${r.stderr}`);
  return JSON.parse(r.stdout) as SweepStatus;
}

export async function healStatus(s: RunningServer): Promise<HealStatus> {
  const res = await signedFetch(s, 'GET', '/granary/admin/v1/heal/status');
  if (res.status !== 200) throw new Error(`heal status: ${res.status} ${await res.text()}`);
  return (await res.json()) as HealStatus;
}

export async function put(s: RunningServer, bucket: string, key: string, data: Buffer): Promise<void> {
  const res = await signedFetch(s, 'PUT', `/${bucket}/${encodeURIComponent(key)}`, data);
  if (res.status !== 200) throw new Error(`PUT ${bucket}/${key}: ${res.status} ${await res.text()}`);
}

export async function get(s: RunningServer, bucket: string, key: string): Promise<{ status: number; body: Buffer }> {
  const res = await signedFetch(s, 'GET', `/${bucket}/${encodeURIComponent(key)}`);
  return { status: res.status, body: Buffer.from(await res.arrayBuffer()) };
}

export async function makeBucket(s: RunningServer, bucket: string): Promise<void> {
  const res = await signedFetch(s, 'PUT', `/${bucket}`);
  if (res.status !== 200) throw new Error(`make bucket ${bucket}: ${res.status} ${await res.text()}`);
}

/** One drive's metadata DB, opened beside the running server (WAL lets both work). */
export function driveDb(drive: string): Database.Database {
  const db = new Database(join(drive, '.granary', 'meta.db'));
  db.pragma('busy_timeout = 10000');
  return db;
}

export interface StoredRecord { versionId: string; dataDir?: string; mtime: number }

export function recordOn(drive: string, bucket: string, key: string): StoredRecord {
  const db = driveDb(drive);
  try {
    const row = db.prepare('SELECT record FROM versions WHERE bucket = ? AND key = ? AND current = 1').pluck().get(bucket, key) as string;
    return JSON.parse(row) as StoredRecord;
  } finally {
    db.close();
  }
}

export function shardPath(drive: string, dataDir: string, part = 1): string {
  return join(drive, 'data', dataDir.slice(0, 2), dataDir, `part.${part}`);
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls `until` every 200 ms for up to `ms`. */
export async function waitUntil<T>(what: string, until: () => Promise<T | undefined | false> | T | undefined | false, ms = 120_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await until();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(200);
  }
}
