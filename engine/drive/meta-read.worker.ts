/**
 * The metadata reader thread of one drive. A read here that waits on a hung
 * disk holds this thread only; the engine waits for its answer under the
 * drive's deadline, and goes on with the other drives meanwhile.
 */
import Database from 'better-sqlite3';
import { parentPort, workerData } from 'node:worker_threads';
import { serveJobs } from '../common/serve-jobs.js';
import { scanRows } from './list-scan.js';
import type { IndexRow } from './list-rows.js';
import type { MetaReadJob, MetaReadReply, MetaReaderInit, RawVersionRow } from './meta-read.js';
import type { BucketRow } from './records.js';

const init = workerData as MetaReaderInit;
// Opened on the first job, not at start-up: a thread started for a drive that is never read costs no file handle.
let db: Database.Database | undefined;
let q: ReturnType<typeof prepare> | undefined;

function prepare(db: Database.Database) {
  return {
    versions: db.prepare('SELECT record, current FROM versions WHERE bucket = ? AND key = ?'),
    versionsWithInline: db.prepare(
      'SELECT v.record, v.current, i.data FROM versions v LEFT JOIN inline_data i ON v.current = 1 AND i.bucket = v.bucket AND i.key = v.key AND i.version_id = v.version_id WHERE v.bucket = ? AND v.key = ?',
    ),
    inline: db.prepare('SELECT data FROM inline_data WHERE bucket = ? AND key = ? AND version_id = ?').pluck(),
    upload: db.prepare('SELECT record FROM uploads WHERE upload_id = ?').pluck(),
    parts: db.prepare('SELECT record FROM parts WHERE upload_id = ? ORDER BY part_number').pluck(),
    // Rows as arrays (raw), in the order of IndexRow.
    listFrom: db.prepare('SELECT key, version_id, mtime, size, etag, deleted FROM objects WHERE bucket = ? AND key >= ? ORDER BY key LIMIT ?').raw(),
    listFromTo: db.prepare('SELECT key, version_id, mtime, size, etag, deleted FROM objects WHERE bucket = ? AND key >= ? AND key < ? ORDER BY key LIMIT ?').raw(),
    uploadsAfter: db.prepare('SELECT record FROM uploads WHERE bucket = ? AND (key > ? OR (key = ? AND upload_id > ?)) ORDER BY key, upload_id LIMIT ?').pluck(),
    buckets: db.prepare('SELECT name, created FROM buckets ORDER BY name'),
  };
}

serveJobs(parentPort!, (job: MetaReadJob): MetaReadReply => {
  if (!db) {
    db = new Database(init.db, { fileMustExist: true });
    db.pragma('query_only = ON');
    q = prepare(db);
  }
  switch (job.q) {
    case 'ping': return { id: job.id };
    case 'versions': case 'versionsWithInline': return { id: job.id, rows: q![job.q].all(job.bucket, job.key) as RawVersionRow[] };
    case 'inline': return { id: job.id, data: (q!.inline.get(job.bucket, job.key, job.versionId) as Uint8Array | undefined) ?? null };
    case 'upload': case 'parts': return { id: job.id, records: q![job.q].all(job.uploadId) as string[] };
    case 'listRows': {
      const { bucket, to } = job;
      // One row (the next folder of a delimiter listing): get() steps once, at half the cost of all().
      const query = (from: string, limit: number): IndexRow[] => {
        const stmt = to === null ? q!.listFrom : q!.listFromTo;
        const args = to === null ? [bucket, from, limit] : [bucket, from, to, limit];
        if (limit !== 1) return stmt.all(...args) as IndexRow[];
        const row = stmt.get(...args) as IndexRow | undefined;
        return row ? [row] : [];
      };
      const { rows, next } = scanRows(query, job.from, to, job.limit, job.common);
      return { id: job.id, listRows: rows, next };
    }
    case 'uploadsAfter': return { id: job.id, records: q!.uploadsAfter.all(job.bucket, job.keyMarker, job.keyMarker, job.uploadIdMarker, job.limit) as string[] };
    case 'buckets': return { id: job.id, buckets: q!.buckets.all() as BucketRow[] };
  }
});
