import type { Readable } from 'node:stream';
import type { DriveStatus } from '../drive/drive-monitor.js';

/**
 * The boundary between the S3 API and storage. The S3 layer speaks only this
 * interface; it never sees drives, shards or files.
 */
export interface ObjectLayer {
  makeBucket(bucket: string): Promise<void>;
  /** Only when empty (no objects, no uploads in progress). */
  deleteBucket(bucket: string): Promise<void>;
  listBuckets(): Promise<BucketInfo[]>;
  headBucket(bucket: string): Promise<BucketInfo>;

  putObject(bucket: string, key: string, body: Body, opts?: PutOptions): Promise<ObjectInfo>;
  getObject(bucket: string, key: string, opts?: GetOptions): Promise<GetResult>;
  headObject(bucket: string, key: string): Promise<ObjectInfo>;
  /** S3 semantics: deleting a missing key succeeds. Resolves to whether something was deleted. */
  deleteObject(bucket: string, key: string): Promise<boolean>;
  copyObject(src: { bucket: string; key: string }, dst: { bucket: string; key: string }, opts?: CopyOptions): Promise<ObjectInfo>;
  listObjects(bucket: string, opts?: ListOptions): Promise<ListResult>;

  /** Object tags, changed in place (S3 object tagging). */
  getObjectTagging(bucket: string, key: string): Promise<Tags>;
  putObjectTagging(bucket: string, key: string, tags: Tags): Promise<void>;

  newMultipartUpload(bucket: string, key: string, opts?: { metadata?: Metadata; checksumAlgorithm?: string; tags?: Tags }): Promise<string>;
  putObjectPart(bucket: string, key: string, uploadId: string, partNumber: number, body: Body, opts?: PartOptions): Promise<PartInfo>;
  listParts(bucket: string, key: string, uploadId: string, opts?: { partNumberMarker?: number; maxParts?: number }): Promise<ListPartsResult>;
  completeMultipartUpload(bucket: string, key: string, uploadId: string, parts: CompletePart[], opts?: { checksums?: Record<string, string> }): Promise<ObjectInfo>;
  abortMultipartUpload(bucket: string, key: string, uploadId: string): Promise<void>;
  listMultipartUploads(bucket: string, opts?: ListUploadsOptions): Promise<ListUploadsResult>;

  /** Rewrites missing or corrupt shards of one object's current version. */
  healObject(bucket: string, key: string): Promise<HealResult>;
  close(): Promise<void>;
}

/**
 * Small documents the engine keeps for itself on the drives (the IAM
 * snapshot, the wrapped master key): erasure-coded and bitrot-checked like
 * objects, in a bucket no S3 request can name or list.
 */
export interface SystemStore {
  putSystemObject(path: string, data: Buffer): Promise<void>;
  /** undefined when no such document was ever written. */
  getSystemObject(path: string): Promise<Buffer | undefined>;
}

/** What `granary admin info` and the console show about the drives. */
export interface StorageInfo {
  deploymentId: string;
  sets: {
    k: number;
    m: number;
    /** healthy: all drives online; degraded: some offline but writes go on; read-only: below write quorum; offline: below read quorum. */
    state: 'healthy' | 'degraded' | 'read-only' | 'offline';
    /** `device`: the filesystem the drive folder is on (stat dev): drives sharing one count its bytes once. */
    drives: { path: string | null; state: 'online' | 'offline'; totalBytes?: number; freeBytes?: number; device?: number }[];
  }[];
}

/** One drive slot as the health model (engine/health) sees it: its monitor's status, or why there is none. */
export interface DriveReport {
  path: string | null;
  set: number;
  slot: number;
  /** A replacement drive still being rebuilt (its healing marker is present). */
  healing: boolean;
  /** The drive's folder is there but blank (no format file): emptied or swapped, not yet taken into the set. */
  unformatted: boolean;
  /** Present when the drive is open; absent when it could not be opened at start (see openError) or was not given. */
  status?: DriveStatus;
  openError?: string;
}

export interface DriveReports {
  deploymentId: string;
  sets: { index: number; k: number; m: number; writeQuorum: number; drives: DriveReport[] }[];
}

export type Body = AsyncIterable<Uint8Array>;
export type Metadata = Record<string, string>;
export type Tags = Record<string, string>;

export interface BucketInfo {
  name: string;
  created: Date;
}

export interface ObjectInfo {
  bucket: string;
  key: string;
  size: number;
  /** Without quotes: the MD5 of the content, or `md5-of-md5s-N` for multipart. */
  etag: string;
  lastModified: Date;
  versionId: string;
  /** Content-Type, Cache-Control, Content-Disposition, Content-Encoding, Expires, x-amz-meta-* … */
  metadata: Metadata;
  checksums: Record<string, string>;
  tags: Tags;
  /** Sizes of the parts of a multipart object; one entry for a single PUT. */
  partSizes: number[];
}

/** Checksums of the content, or a function that gives them once the body has been read (trailers, streamed hashes). */
export type Checksums = Record<string, string> | (() => Record<string, string> | undefined);

export interface PutOptions {
  /** The declared length (Content-Length); the body must deliver exactly this many bytes. */
  size?: number;
  metadata?: Metadata;
  checksums?: Checksums;
  tags?: Tags;
  /**
   * Conditional writes (If-None-Match: *, If-Match): checked against the
   * current version under the key's lock, just before the commit, so two
   * racing creates cannot both win. Throw to refuse; nothing is stored.
   */
  precondition?: (current: ObjectInfo | null) => void;
}

export interface GetOptions {
  /**
   * Inclusive byte range, refused here with InvalidRange when it does not fit. A function gets
   * the version being read, so a caller that needs its size (Range: bytes=-N, partNumber)
   * resolves the object once.
   */
  range?: { start: number; end: number } | ((info: ObjectInfo) => { start: number; end: number } | undefined);
}

export interface GetResult {
  info: ObjectInfo;
  /** The bytes: a Buffer when they were read at once (a small object's inline shards), else a stream. */
  body: Readable | Buffer;
  range?: { start: number; end: number };
}

export interface CopyOptions {
  /** Replace the metadata (S3's REPLACE directive); default copies it. */
  metadata?: Metadata;
  /** Replace the tags (x-amz-tagging-directive: REPLACE); default copies them. */
  tags?: Tags;
}

export interface ListOptions {
  prefix?: string;
  delimiter?: string;
  /** Keys strictly after this one (marker, start-after or a decoded continuation token). */
  after?: string;
  maxKeys?: number;
}

export interface ListedObjectInfo {
  key: string;
  size: number;
  etag: string;
  lastModified: Date;
}

export interface ListResult {
  objects: ListedObjectInfo[];
  commonPrefixes: string[];
  isTruncated: boolean;
  /** The last key or common prefix returned: the marker of the next page. */
  nextMarker?: string;
}

export interface PartOptions {
  size?: number;
  checksums?: Checksums;
}

export interface PartInfo {
  partNumber: number;
  etag: string;
  size: number;
  lastModified: Date;
  checksums: Record<string, string>;
}

export interface ListPartsResult {
  parts: PartInfo[];
  isTruncated: boolean;
  nextPartNumberMarker?: number;
  metadata: Metadata;
  checksumAlgorithm?: string;
}

export interface CompletePart {
  partNumber: number;
  etag: string;
}

export interface ListUploadsOptions {
  prefix?: string;
  delimiter?: string;
  keyMarker?: string;
  uploadIdMarker?: string;
  maxUploads?: number;
}

export interface UploadInfo {
  key: string;
  uploadId: string;
  initiated: Date;
}

export interface ListUploadsResult {
  uploads: UploadInfo[];
  commonPrefixes: string[];
  isTruncated: boolean;
  nextKeyMarker?: string;
  nextUploadIdMarker?: string;
}

export interface HealResult {
  /** Drives whose shard was rewritten, and why. */
  healed: { drive: string; reason: 'metadata' | 'missing' | 'truncated' | 'corrupt' }[];
}

/** S3's limits. */
export const LIMITS = {
  maxObjectSize: 5 * 1024 ** 4,
  maxPartSize: 5 * 1024 ** 3,
  minPartSize: 5 * 1024 ** 2,
  maxParts: 10_000,
  maxKeys: 1000,
} as const;
