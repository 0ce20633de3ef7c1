import type { JobReply } from '../common/serve-jobs.js';

/** A metadata read asked of a drive's reader thread (meta-read.worker.ts): a key's version rows, with the current row's inline frames or without. */
export interface MetaReadJob {
  id: number;
  q: 'versions' | 'versionsWithInline' | 'ping';
  bucket?: string;
  key?: string;
}

/** A version row as SQLite holds it; the record stays JSON text, parsed by the reader's caller as the synchronous reads do. */
export interface RawVersionRow { record: string; current: number; data?: Uint8Array | null }

export interface MetaReadReply extends JobReply { rows?: RawVersionRow[] }

export interface MetaReaderInit { db: string }
