import type { JobReply } from '../common/serve-jobs.js';
import type { CommonPrefixes } from './list-scan.js';
import type { BucketRow } from './records.js';

/** A metadata read asked of a drive's reader thread (meta-read.worker.ts). */
export type MetaReadJob =
  | { id: number; q: 'ping' }
  /** A key's version rows, with the current row's inline frames or without. */
  | { id: number; q: 'versions' | 'versionsWithInline'; bucket: string; key: string }
  /** One version's inline frames. */
  | { id: number; q: 'inline'; bucket: string; key: string; versionId: string }
  /** A multipart upload's record, or its parts' records. */
  | { id: number; q: 'upload' | 'parts'; uploadId: string }
  /** Rows of the `objects` index with from <= key < to (to = null: no upper bound), in UTF-8 byte order (list-scan.ts). */
  | { id: number; q: 'listRows'; bucket: string; from: string; to: string | null; limit: number; common?: CommonPrefixes }
  /** Upload records after (keyMarker, uploadIdMarker), ordered by key then upload id. */
  | { id: number; q: 'uploadsAfter'; bucket: string; keyMarker: string; uploadIdMarker: string; limit: number }
  /** Every bucket row. */
  | { id: number; q: 'buckets' };

/** A version row as SQLite holds it; the record stays JSON text, parsed by the reader's caller as the synchronous reads do. */
export interface RawVersionRow { record: string; current: number; data?: Uint8Array | null }

export interface MetaReadReply extends JobReply {
  rows?: RawVersionRow[];
  /** `listRows`: the rows, packed (list-rows.ts). */
  listRows?: string;
  /** `listRows`: where the next scan starts, or null when the drive has nothing more in range. */
  next?: string | null;
  buckets?: BucketRow[];
  /** JSON records (`upload`: none or one; `parts`: by part number; `uploadsAfter`: in order). */
  records?: string[];
  /** `inline`: the frames, or null when the drive has none for that version. */
  data?: Uint8Array | null;
}

export interface MetaReaderInit { db: string }
