import type { JobReply } from '../common/serve-jobs.js';

/** A metadata read asked of a drive's reader thread (meta-read.worker.ts). */
export type MetaReadJob =
  | { id: number; q: 'ping' }
  /** A key's version rows, with the current row's inline frames or without. */
  | { id: number; q: 'versions' | 'versionsWithInline'; bucket: string; key: string }
  /** One version's inline frames. */
  | { id: number; q: 'inline'; bucket: string; key: string; versionId: string }
  /** A multipart upload's record, or its parts' records. */
  | { id: number; q: 'upload' | 'parts'; uploadId: string };

/** A version row as SQLite holds it; the record stays JSON text, parsed by the reader's caller as the synchronous reads do. */
export interface RawVersionRow { record: string; current: number; data?: Uint8Array | null }

export interface MetaReadReply extends JobReply {
  rows?: RawVersionRow[];
  /** JSON records (`upload`: none or one; `parts`: by part number). */
  records?: string[];
  /** `inline`: the frames, or null when the drive has none for that version. */
  data?: Uint8Array | null;
}

export interface MetaReaderInit { db: string }
