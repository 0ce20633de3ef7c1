import type { DriveErrorKind } from './drive-error.js';
import type { PartUploadRecord, UploadRecord, VersionRecord } from './records.js';

/**
 * Every change to a drive, as a message to its writer thread. File moves named
 * here (staged shards into place) happen before the DB commit that makes them
 * visible, so a visible row always has its shards.
 */
export type MetaOp =
  | { op: 'makeBucket'; bucket: string; created: number }
  | { op: 'deleteBucket'; bucket: string }
  /**
   * Makes `record` the current version of the key. The previous current one is
   * kept (superseded) until `finalize` drops it or `revert` brings it back, so
   * a write that misses its quorum never costs the version it replaced.
   * `stagedDir` (absolute) is renamed to the record's data folder.
   */
  | { op: 'putVersion'; bucket: string; key: string; record: VersionRecord; inline?: Uint8Array; stagedDir?: string }
  /** Replaces the record of an existing version (same id, same shards): tags and other metadata-only changes. */
  | { op: 'updateRecord'; bucket: string; key: string; record: VersionRecord }
  | { op: 'finalize'; bucket: string; key: string; versionId: string }
  | { op: 'revert'; bucket: string; key: string; versionId: string }
  | { op: 'putUpload'; upload: UploadRecord }
  /** `stagedFile` (absolute) replaces part.N in the upload's data folder. */
  | { op: 'putPart'; uploadId: string; part: PartUploadRecord; stagedFile: string }
  /** Makes the upload's data folder the current version (as putVersion) and drops the upload; unlisted parts are deleted. */
  | { op: 'completeUpload'; bucket: string; key: string; uploadId: string; record: VersionRecord }
  | { op: 'abortUpload'; uploadId: string };

export type OpResult =
  | { ok: true; superseded?: boolean }
  | { ok: false; kind: DriveErrorKind; message: string };

export interface OpRequest { id: number; op: MetaOp }
export interface OpReply { id: number; result: OpResult }
export interface WriterInit { root: string }
