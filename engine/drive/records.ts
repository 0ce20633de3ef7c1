/**
 * Rows a drive keeps in its metadata DB. The same `VersionRecord` is written
 * to every drive of a set; only the shard each drive holds differs (its slot
 * in `erasure.distribution`).
 */

export interface ErasureInfo {
  dataShards: number;
  parityShards: number;
  blockSize: number;
  /** distribution[slot] = shard index stored by the drive in that set slot. */
  distribution: number[];
  /** Bitrot hash of every shard block. */
  hash: 'xxh128';
}

export interface PartRecord {
  number: number;
  /** Bytes of the part as the client sent them. */
  size: number;
  etag: string;
  checksums?: Record<string, string>;
}

export interface VersionRecord {
  versionId: string;
  /** Milliseconds since the epoch; newer wins when drives disagree. */
  mtime: number;
  size: number;
  etag: string;
  /** A tombstone: the key was deleted at `mtime`. No data, no parts. */
  deleted?: boolean;
  /** Content-Type, Cache-Control, x-amz-meta-*, … as the S3 layer hands them down. */
  metadata: Record<string, string>;
  checksums?: Record<string, string>;
  /** Object tags (S3 tagging): at most 10, changed in place without rewriting data. */
  tags?: Record<string, string>;
  erasure: ErasureInfo;
  /** Folder under data/ that holds part.N shards; absent when the shard is inline. */
  dataDir?: string;
  parts: PartRecord[];
}

export interface BucketRow {
  name: string;
  created: number;
}

export interface UploadRecord {
  uploadId: string;
  bucket: string;
  key: string;
  initiated: number;
  metadata: Record<string, string>;
  checksumAlgorithm?: string;
  tags?: Record<string, string>;
  erasure: ErasureInfo;
  /** The upload's parts are written straight into the data folder the completed object will use. */
  dataDir: string;
}

export interface PartUploadRecord extends PartRecord {
  mtime: number;
}

export interface StoredVersion {
  record: VersionRecord;
  /** False while a newer version waits to be confirmed or reverted (see `finalize` / `revert`). */
  current: boolean;
  /** The row's inline shard frames, when read with them (`LocalDrive.versionsOffThread` withInline) and the version has any. */
  inline?: Uint8Array;
}
