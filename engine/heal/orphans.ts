import Database from 'better-sqlite3';
import { readdir, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { LocalDrive } from '../drive/local-drive.js';

export interface OrphanReport {
  /** Data folders no version or upload row refers to. */
  orphans: string[];
  /** Staging folders under tmp/. */
  staging: string[];
}

/**
 * Shard folders a crash left behind (renamed into data/ but never
 * committed, or unreachable after a commit whose cleanup did not run) and
 * staging leftovers, older than `graceMs` by their modification time, so a
 * write in progress is never touched. A second look at the drive's rows just
 * before each removal closes the window of a commit landing meanwhile.
 */
export async function collectOrphans(drive: LocalDrive, graceMs: number, dryRun: boolean): Promise<OrphanReport> {
  const report: OrphanReport = { orphans: [], staging: [] };
  const cutoff = Date.now() - graceMs;
  const old = async (path: string) => {
    try {
      return (await stat(path)).mtimeMs < cutoff;
    } catch {
      return false;
    }
  };

  for (const name of await listDir(drive.paths.tmp)) {
    const path = join(drive.paths.tmp, name);
    if (!(await old(path))) continue;
    report.staging.push(path);
    if (!dryRun) await rm(path, { recursive: true, force: true });
  }

  const candidates: string[] = [];
  for (const fan of await listDir(drive.paths.data)) {
    for (const dir of await listDir(join(drive.paths.data, fan))) {
      if (dir.slice(0, 2) === fan && (await old(drive.paths.dataDir(dir)))) candidates.push(dir);
    }
  }
  if (candidates.length === 0) return report;
  // A reader of its own: the drive's connection is the engine's, and this scan is long.
  const db = new Database(drive.paths.db, { readonly: true, fileMustExist: true });
  try {
    db.pragma('busy_timeout = 5000');
    const used = db.prepare(
      "SELECT 1 FROM versions WHERE json_extract(record, '$.dataDir') = @dir UNION ALL SELECT 1 FROM uploads WHERE json_extract(record, '$.dataDir') = @dir LIMIT 1",
    ).pluck();
    const referenced = new Set<string>();
    for (const row of db.prepare("SELECT json_extract(record, '$.dataDir') FROM versions WHERE json_extract(record, '$.dataDir') IS NOT NULL UNION SELECT json_extract(record, '$.dataDir') FROM uploads").pluck().iterate()) {
      referenced.add(row as string);
    }
    for (const dir of candidates) {
      if (referenced.has(dir) || used.get({ dir }) !== undefined) continue;
      const path = drive.paths.dataDir(dir);
      report.orphans.push(path);
      if (!dryRun) await rm(path, { recursive: true, force: true });
    }
  } finally {
    db.close();
  }
  return report;
}

async function listDir(path: string): Promise<string[]> {
  try {
    return await readdir(path);
  } catch {
    return [];
  }
}
