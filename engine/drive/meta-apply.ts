import Database from 'better-sqlite3';
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { syncFolderSync } from '../common/durable-file.js';
import { DriveError, driveErrorFrom } from './drive-error.js';
import type { MetaOp, OpResult } from './meta-ops.js';
import { DrivePaths, partFileName } from './paths.js';
import type { UploadRecord, VersionRecord } from './records.js';
import { openSchema } from './schema.js';

/**
 * Applies batches of `MetaOp`s to one drive: file moves first, one fsync per
 * touched directory, then every op's rows in ONE fsynced transaction (group
 * commit), then deletion of what the commit made unreachable. Runs in the
 * drive's writer thread; each op has its own savepoint so one failure does not
 * sink the batch.
 */
export class MetaApplier {
  private readonly db: Database.Database;
  private readonly paths: DrivePaths;
  private readonly stmt;

  constructor(root: string) {
    this.paths = new DrivePaths(root);
    this.db = new Database(this.paths.db);
    openSchema(this.db);
    const db = this.db;
    this.stmt = {
      makeBucket: db.prepare('INSERT OR IGNORE INTO buckets (name, created) VALUES (?, ?)'),
      currentVersion: db.prepare('SELECT version_id, record FROM versions WHERE bucket = ? AND key = ? AND current = 1'),
      supersede: db.prepare('UPDATE versions SET current = 0, superseded_by = ? WHERE bucket = ? AND key = ? AND version_id = ?'),
      updateRecord: db.prepare('UPDATE versions SET record = ? WHERE bucket = ? AND key = ? AND version_id = ?'),
      upsertVersion: db.prepare('INSERT OR REPLACE INTO versions (bucket, key, version_id, current, superseded_by, record) VALUES (?, ?, ?, 1, NULL, ?)'),
      upsertObject: db.prepare('INSERT OR REPLACE INTO objects (bucket, key, version_id, mtime, size, etag, deleted) VALUES (?, ?, ?, ?, ?, ?, ?)'),
      deleteObject: db.prepare('DELETE FROM objects WHERE bucket = ? AND key = ?'),
      upsertInline: db.prepare('INSERT OR REPLACE INTO inline_data (bucket, key, version_id, data) VALUES (?, ?, ?, ?)'),
      deleteInline: db.prepare('DELETE FROM inline_data WHERE bucket = ? AND key = ? AND version_id = ?'),
      nonCurrent: db.prepare('SELECT version_id, record FROM versions WHERE bucket = ? AND key = ? AND current = 0'),
      supersededBy: db.prepare('SELECT version_id, record FROM versions WHERE bucket = ? AND key = ? AND superseded_by = ?'),
      deleteVersion: db.prepare('DELETE FROM versions WHERE bucket = ? AND key = ? AND version_id = ?'),
      restore: db.prepare('UPDATE versions SET current = 1, superseded_by = NULL WHERE bucket = ? AND key = ? AND version_id = ?'),
      bucketDataDirs: db.prepare("SELECT json_extract(record, '$.dataDir') AS dir FROM versions WHERE bucket = ? AND json_extract(record, '$.dataDir') IS NOT NULL"),
      bucketUploadDirs: db.prepare("SELECT upload_id, json_extract(record, '$.dataDir') AS dir FROM uploads WHERE bucket = ?"),
      deleteBucketRows: [
        db.prepare('DELETE FROM objects WHERE bucket = ?'),
        db.prepare('DELETE FROM versions WHERE bucket = ?'),
        db.prepare('DELETE FROM inline_data WHERE bucket = ?'),
        db.prepare('DELETE FROM parts WHERE upload_id IN (SELECT upload_id FROM uploads WHERE bucket = ?)'),
        db.prepare('DELETE FROM uploads WHERE bucket = ?'),
        db.prepare('DELETE FROM buckets WHERE name = ?'),
      ],
      insertUpload: db.prepare('INSERT OR REPLACE INTO uploads (bucket, key, upload_id, record) VALUES (?, ?, ?, ?)'),
      uploadById: db.prepare('SELECT record FROM uploads WHERE upload_id = ?'),
      upsertPart: db.prepare('INSERT OR REPLACE INTO parts (upload_id, part_number, record) VALUES (?, ?, ?)'),
      deleteParts: db.prepare('DELETE FROM parts WHERE upload_id = ?'),
      deleteUpload: db.prepare('DELETE FROM uploads WHERE upload_id = ?'),
    };
  }

  close(): void {
    this.db.close();
  }

  applyBatch(ops: MetaOp[]): OpResult[] {
    const results: (OpResult | undefined)[] = new Array(ops.length);
    const dirsToSync = new Set<string>();
    const afterCommit: string[] = [];

    // 1. File moves: a row must never become visible before its shards are in place.
    for (let i = 0; i < ops.length; i++) {
      try {
        this.moveFiles(ops[i], dirsToSync);
      } catch (err) {
        results[i] = failure(err, ops[i].op);
      }
    }
    try {
      for (const dir of dirsToSync) syncFolderSync(dir);
    } catch (err) {
      const failed = failure(err, 'fsync');
      for (let i = 0; i < ops.length; i++) results[i] ??= failed;
      return results as OpResult[];
    }

    // 2. One transaction, one fsync, for every op of the batch. Optimistically
    // without a savepoint per op (they cost as much as the rows); if any op
    // fails, the batch is redone with one savepoint per op so only it fails.
    const pending = ops.map((_, i) => i).filter((i) => !results[i]);
    const apply = (isolated: boolean) =>
      this.db.transaction(() => {
        const cleanup: string[] = [];
        for (const i of pending) {
          const mine: string[] = [];
          if (!isolated) {
            const superseded = this.applyRows(ops[i], mine);
            results[i] = superseded === undefined ? { ok: true } : { ok: true, superseded };
          } else {
            try {
              const superseded = this.db.transaction(() => this.applyRows(ops[i], mine))();
              results[i] = superseded === undefined ? { ok: true } : { ok: true, superseded };
            } catch (err) {
              results[i] = failure(err, ops[i].op);
              continue;
            }
          }
          cleanup.push(...mine);
        }
        afterCommit.push(...cleanup);
      })();
    try {
      try {
        apply(false);
      } catch {
        for (const i of pending) results[i] = undefined;
        afterCommit.length = 0;
        apply(true);
      }
    } catch (err) {
      const failed = failure(err, 'commit');
      return ops.map(() => failed);
    }

    // 3. What the commit made unreachable. A crash here only leaves orphans for the scanner.
    for (const path of afterCommit) {
      try { rmSync(path, { recursive: true, force: true }); } catch { /* collected later */ }
    }
    return results as OpResult[];
  }

  private moveFiles(op: MetaOp, dirsToSync: Set<string>): void {
    switch (op.op) {
      case 'putVersion': {
        if (!op.stagedDir) return;
        const dataDir = op.record.dataDir;
        if (!dataDir) throw new DriveError('io', 'putVersion: staged shards without a data folder');
        const dest = this.paths.dataDir(dataDir);
        mkdirSync(dirname(dest), { recursive: true });
        // Healing rewrites a version in place: its new shards replace the damaged folder.
        if (existsSync(dest)) rmSync(dest, { recursive: true, force: true });
        renameSync(op.stagedDir, dest);
        dirsToSync.add(dirname(dest));
        return;
      }
      case 'putUpload': {
        const dir = this.paths.dataDir(op.upload.dataDir);
        mkdirSync(dir, { recursive: true });
        dirsToSync.add(dirname(dir));
        return;
      }
      case 'putPart': {
        const upload = this.upload(op.uploadId);
        const dir = this.paths.dataDir(upload.dataDir);
        renameSync(op.stagedFile, join(dir, partFileName(op.part.number)));
        dirsToSync.add(dir);
        return;
      }
      default:
        return;
    }
  }

  /** Returns whether an older version was superseded (putVersion / completeUpload only). */
  private applyRows(op: MetaOp, cleanup: string[]): boolean | undefined {
    switch (op.op) {
      case 'makeBucket':
        this.stmt.makeBucket.run(op.bucket, op.created);
        return undefined;
      case 'deleteBucket': {
        for (const row of this.stmt.bucketDataDirs.all(op.bucket) as { dir: string }[]) cleanup.push(this.paths.dataDir(row.dir));
        for (const row of this.stmt.bucketUploadDirs.all(op.bucket) as { dir: string }[]) cleanup.push(this.paths.dataDir(row.dir));
        for (const s of this.stmt.deleteBucketRows) s.run(op.bucket);
        return undefined;
      }
      case 'putVersion':
        return this.putVersionRows(op.bucket, op.key, op.record, op.inline);
      case 'updateRecord': {
        const r = this.stmt.updateRecord.run(JSON.stringify(op.record), op.bucket, op.key, op.record.versionId);
        if (r.changes === 0) throw new DriveError('notFound', `version ${op.record.versionId} of ${op.key} is not on this drive`);
        return undefined;
      }
      case 'finalize': {
        // Everything older than a version that reached its quorum is obsolete.
        for (const row of this.stmt.nonCurrent.all(op.bucket, op.key) as VersionRow[]) this.dropVersion(op.bucket, op.key, row, cleanup);
        return undefined;
      }
      case 'revert': {
        const cur = this.stmt.currentVersion.get(op.bucket, op.key) as VersionRow | undefined;
        if (!cur || cur.version_id !== op.versionId) return undefined;
        this.dropVersion(op.bucket, op.key, cur, cleanup);
        const prev = this.stmt.supersededBy.get(op.bucket, op.key, op.versionId) as VersionRow | undefined;
        if (prev) {
          this.stmt.restore.run(op.bucket, op.key, prev.version_id);
          this.writeObjectRow(op.bucket, op.key, JSON.parse(prev.record) as VersionRecord);
        } else {
          this.stmt.deleteObject.run(op.bucket, op.key);
        }
        return undefined;
      }
      case 'putUpload':
        this.stmt.insertUpload.run(op.upload.bucket, op.upload.key, op.upload.uploadId, JSON.stringify(op.upload));
        return undefined;
      case 'putPart':
        this.upload(op.uploadId);
        this.stmt.upsertPart.run(op.uploadId, op.part.number, JSON.stringify(op.part));
        return undefined;
      case 'completeUpload': {
        const upload = this.upload(op.uploadId);
        const superseded = this.putVersionRows(op.bucket, op.key, op.record, undefined);
        this.stmt.deleteParts.run(op.uploadId);
        this.stmt.deleteUpload.run(op.uploadId);
        const keep = new Set(op.record.parts.map((p) => partFileName(p.number)));
        const dir = this.paths.dataDir(upload.dataDir);
        for (const name of safeReaddir(dir)) if (!keep.has(name)) cleanup.push(join(dir, name));
        return superseded;
      }
      case 'abortUpload': {
        const upload = this.upload(op.uploadId);
        this.stmt.deleteParts.run(op.uploadId);
        this.stmt.deleteUpload.run(op.uploadId);
        cleanup.push(this.paths.dataDir(upload.dataDir));
        return undefined;
      }
    }
  }

  private putVersionRows(bucket: string, key: string, record: VersionRecord, inline: Uint8Array | undefined): boolean {
    const cur = this.stmt.currentVersion.get(bucket, key) as VersionRow | undefined;
    let superseded = false;
    if (cur && cur.version_id !== record.versionId) {
      this.stmt.supersede.run(record.versionId, bucket, key, cur.version_id);
      superseded = true;
    }
    this.stmt.upsertVersion.run(bucket, key, record.versionId, JSON.stringify(record));
    this.writeObjectRow(bucket, key, record);
    if (inline) this.stmt.upsertInline.run(bucket, key, record.versionId, inline);
    return superseded;
  }

  private writeObjectRow(bucket: string, key: string, r: VersionRecord): void {
    this.stmt.upsertObject.run(bucket, key, r.versionId, r.mtime, r.size, r.etag, r.deleted ? 1 : 0);
  }

  private dropVersion(bucket: string, key: string, row: VersionRow, cleanup: string[]): void {
    const record = JSON.parse(row.record) as VersionRecord;
    this.stmt.deleteVersion.run(bucket, key, row.version_id);
    this.stmt.deleteInline.run(bucket, key, row.version_id);
    if (record.dataDir) cleanup.push(this.paths.dataDir(record.dataDir));
  }

  private upload(uploadId: string): UploadRecord {
    const row = this.stmt.uploadById.get(uploadId) as { record: string } | undefined;
    if (!row) throw new DriveError('notFound', `upload ${uploadId} is not on this drive`);
    return JSON.parse(row.record) as UploadRecord;
  }
}

interface VersionRow { version_id: string; record: string }

function failure(err: unknown, context: string): OpResult {
  const e = driveErrorFrom(err, context);
  return { ok: false, kind: e.kind, message: e.message };
}

function safeReaddir(dir: string): string[] {
  try { return readdirSync(dir); } catch { return []; }
}
