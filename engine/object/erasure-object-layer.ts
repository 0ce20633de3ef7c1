import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { GranaryError, isGranaryError } from '../common/errors.js';
import { compareKeys, prefixUpperBound } from '../common/key-order.js';
import { driveSpace, existsOnDrive } from '../drive/drive-looks.js';
import { FORMAT_FILE, META_DIR } from '../drive/format.js';
import { driveMonitorOptions } from '../drive/drive-monitor.js';
import { LocalDrive } from '../drive/local-drive.js';
import type { BucketRow, VersionRecord } from '../drive/records.js';
import { BlockCodec } from '../erasure/block-codec.js';
import { HEALING_FILE, prepareDeployment, type Deployment } from '../erasure/deployment.js';
import { ErasureSet } from '../erasure/erasure-set.js';
import { askDrives } from '../erasure/ask-drives.js';
import { SetListCursor } from '../erasure/list-cursor.js';
import { multipartEtag, normalizeEtag } from './etag.js';
import { placeLateDrives, type LatePlacement } from './late-drives.js';
import { checkBucketName, checkObjectKey } from './names.js';
import {
  LIMITS,
  type Body,
  type BucketInfo,
  type CompletePart,
  type CopyOptions,
  type GetOptions,
  type GetResult,
  type HealResult,
  type ListOptions,
  type ListPartsResult,
  type ListResult,
  type ListUploadsOptions,
  type ListUploadsResult,
  type Metadata,
  type ObjectInfo,
  type Tags,
  type ObjectLayer,
  type DriveReports,
  type StorageInfo,
  type SystemStore,
  type PartInfo,
  type PartOptions,
  type PutOptions,
} from './object-layer.js';

/** Metadata beyond this (all headers together) is refused, as S3 refuses more than 2 KiB of user metadata. */
const MAX_METADATA_BYTES = 8 * 1024;

export interface OpenOptions {
  drives: string[];
  parity?: number;
  blockSize?: number;
  log?: (line: string) => void;
}

/**
 * How long a look at a drive (its space, its format and healing files) waits
 * for an answer: then the drive counts as offline in that answer, or keeps
 * the files' flags last seen.
 */
const DRIVE_ANSWER_MS = 2000;

/** Never a valid S3 bucket name (it starts with a dot), so no request can reach it. */
const SYSTEM_BUCKET = '.granary.sys';

/**
 * The object layer over one or more erasure sets: names checked, each key
 * placed on a set by a hash of bucket and key, buckets on every set, listings
 * merged across sets in UTF-8 order.
 */
export class ErasureObjectLayer implements ObjectLayer, SystemStore {
  private readonly buckets = new Map<string, number>();
  private readonly healQueue = new Set<string>();
  private bucketsUncertain = false;
  private healing: Promise<void> | null = null;
  /** Why each drive that could not be opened at start is offline, by path. */
  private openErrors = new Map<string, string>();
  /** Each drive path's files as last seen by lookAtDriveFiles. */
  private readonly driveFiles = new Map<string, { healing: boolean; unformatted: boolean }>();
  private filesLook: Promise<void> | null = null;

  private constructor(readonly deployment: Deployment, readonly sets: ErasureSet[], private readonly log: (line: string) => void) {
    for (const set of sets) set.onBadShard = (bucket, key) => this.queueHeal(bucket, key);
  }

  static async open(opts: OpenOptions): Promise<ErasureObjectLayer> {
    const log = opts.log ?? (() => undefined);
    const deployment = await prepareDeployment(opts.drives, { parity: opts.parity, blockSize: opts.blockSize, answerMs: driveMonitorOptions().timeoutMs });
    for (const w of deployment.warnings) log(`warning: ${w}`);
    const openErrors = new Map<string, string>();
    const sets = await Promise.all(
      deployment.sets.map(async (layout, index) => {
        const drives = await Promise.all(
          layout.paths.map(async (p) => {
            if (!p) return null;
            const unread = deployment.unread.get(p);
            if (unread) {
              openErrors.set(p, unread);
              return null;
            }
            try {
              return await LocalDrive.open(p);
            } catch (err) {
              log(`warning: drive ${p} is offline: ${(err as Error).message}`);
              openErrors.set(p, (err as Error).message);
              return null;
            }
          }),
        );
        const codec = new BlockCodec(layout.k, layout.m, Math.ceil(deployment.blockSize / layout.k));
        return new ErasureSet({ index, k: layout.k, m: layout.m, blockSize: deployment.blockSize, codec, drives });
      }),
    );
    const layer = new ErasureObjectLayer(deployment, sets, log);
    layer.openErrors = openErrors;
    const seen = await layer.loadBuckets();
    await layer.lookAtDriveFiles();
    await layer.healBuckets(seen);
    return layer;
  }

  /** Drives the start could not place, given their slots once they answer (engine/object/late-drives). A drive still silent costs at most `ms`. */
  placeLateDrives(ms: number): Promise<LatePlacement> {
    return placeLateDrives({ deployment: this.deployment, sets: this.sets, offline: (path, why) => this.openErrors.set(path, why) }, ms);
  }

  /**
   * A drive that could not be opened at start, tried again (by the heal
   * watcher): back in its slot when it opens and carries the slot's drive id.
   * It missed every write since the start; the caller has it healed.
   */
  async reopenDrive(index: number, slot: number): Promise<LocalDrive | null> {
    const set = this.sets[index];
    const path = this.deployment.sets[index].paths[slot];
    const id = set.drives.find((d) => d)?.format.sets[index][slot];
    if (!path || !id || set.drives[slot]) return null;
    let drive: LocalDrive;
    try {
      drive = await LocalDrive.open(path);
    } catch (err) {
      this.openErrors.set(path, (err as Error).message);
      return null;
    }
    if (drive.id !== id || set.drives[slot]) {
      await drive.close();
      if (drive.id !== id) this.openErrors.set(path, `it now carries drive id ${drive.id}, not ${id}: restart Granary to have its drives recognised again`);
      return null;
    }
    await set.giveBuckets(drive);
    set.ctx.drives[slot] = drive;
    this.openErrors.delete(path);
    return drive;
  }

  async close(): Promise<void> {
    await this.healing;
    await Promise.all(this.sets.flatMap((s) => s.drives.map((d) => d?.close())));
  }

  // ---- buckets --------------------------------------------------------------

  /**
   * Buckets a read quorum of some set knows. A set with fewer than k drives
   * online cannot tell: what its drives know is taken on trust, and a name
   * nobody knows is a quorum error rather than NoSuchBucket. Returns each
   * answering drive's rows, for healBuckets.
   */
  private async loadBuckets(): Promise<Map<LocalDrive, BucketRow[]>> {
    const seen = new Map<LocalDrive, BucketRow[]>();
    for (const set of this.sets) {
      const answers = await askDrives(set.drives, (d) => d.bucketsOffThread(), () => false);
      answers.forEach((rows, slot) => { if (rows) seen.set(set.drives[slot]!, rows); });
      const online = answers.filter((a) => a !== null).length;
      if (online < set.ctx.k) this.bucketsUncertain = true;
      const counts = new Map<string, { created: number; n: number }>();
      for (const rows of answers) {
        for (const r of rows ?? []) {
          const c = counts.get(r.name);
          counts.set(r.name, { created: Math.min(c?.created ?? r.created, r.created), n: (c?.n ?? 0) + 1 });
        }
      }
      for (const [name, c] of counts) if (name !== SYSTEM_BUCKET && c.n >= Math.min(set.ctx.k, online)) this.buckets.set(name, c.created);
    }
    return seen;
  }

  /** Replacement drives (and any that missed a bucket) get the bucket rows the others have; `seen`: each drive's rows as loadBuckets read them. */
  private async healBuckets(seen: Map<LocalDrive, BucketRow[]>): Promise<void> {
    await Promise.all(
      [...seen].map(async ([d, rows]) => {
        const have = new Set(rows.map((b) => b.name));
        for (const [name, created] of this.buckets) if (!have.has(name)) await d.apply({ op: 'makeBucket', bucket: name, created });
      }),
    );
  }

  async makeBucket(bucket: string): Promise<void> {
    checkBucketName(bucket);
    if (this.buckets.has(bucket)) throw new GranaryError('BucketAlreadyOwnedByYou');
    const created = Date.now();
    await Promise.all(this.sets.map((s) => s.makeBucket(bucket, created)));
    this.buckets.set(bucket, created);
  }

  async deleteBucket(bucket: string): Promise<void> {
    this.requireBucket(bucket);
    const page = await this.listObjects(bucket, { maxKeys: 1 });
    if (page.objects.length > 0 || page.commonPrefixes.length > 0) throw new GranaryError('BucketNotEmpty');
    const uploads = await Promise.all(this.sets.map((s) => s.uploadsAfter(bucket, '', '', 1)));
    if (uploads.some((u) => u.length > 0)) {
      throw new GranaryError('BucketNotEmpty', 'The bucket you tried to delete has multipart uploads in progress.');
    }
    await Promise.all(this.sets.map((s) => s.deleteBucket(bucket)));
    this.buckets.delete(bucket);
  }

  async listBuckets(): Promise<BucketInfo[]> {
    return [...this.buckets].sort(([a], [b]) => compareKeys(a, b)).map(([name, created]) => ({ name, created: new Date(created) }));
  }

  async headBucket(bucket: string): Promise<BucketInfo> {
    return { name: bucket, created: new Date(this.requireBucket(bucket)) };
  }

  private requireBucket(bucket: string): number {
    const created = this.buckets.get(bucket);
    if (created === undefined) {
      checkBucketName(bucket);
      if (this.bucketsUncertain) throw new GranaryError('XGranaryReadQuorum', 'Too many drives are offline to tell whether this bucket exists.');
      throw new GranaryError('NoSuchBucket');
    }
    return created;
  }

  /**
   * Every drive's space, asked of the thread pool: a drive that does not
   * answer within DRIVE_ANSWER_MS counts as offline here, so a hung disk
   * neither stops the engine nor holds the request.
   */
  async storageInfo(): Promise<StorageInfo> {
    return {
      deploymentId: this.deployment.deploymentId,
      sets: await Promise.all(this.sets.map(async (set, i) => {
        const layout = this.deployment.sets[i];
        const drives = await Promise.all(set.drives.map(async (d, slot) => {
          const path = layout.paths[slot] ?? null;
          const offline = { path, state: 'offline' as const };
          if (!d || !path || !d.health.online) return offline;
          const space = await driveSpace(path, DRIVE_ANSWER_MS);
          return space ? { path, state: 'online' as const, ...space } : offline;
        }));
        const online = drives.filter((d) => d.state === 'online').length;
        const { k, m } = set.ctx;
        const writeQuorum = k === m ? k + 1 : k;
        const state = online === k + m ? 'healthy' : online >= writeQuorum ? 'degraded' : online >= k ? 'read-only' : 'offline';
        return { k, m, state, drives };
      })),
    };
  }

  /**
   * Every drive slot's monitor status, for the health model (engine/health).
   * Synchronous, since the health monitor builds its snapshots so; the
   * healing and unformatted flags are those of the last look at the drives'
   * files, and each call starts the next look.
   */
  driveReports(): DriveReports {
    void this.lookAtDriveFiles();
    return {
      deploymentId: this.deployment.deploymentId,
      sets: this.sets.map((set, index) => ({
        index,
        k: set.ctx.k,
        m: set.ctx.m,
        writeQuorum: set.writeQuorum,
        drives: set.drives.map((d, slot) => {
          const path = this.deployment.sets[index].paths[slot] ?? null;
          const openError = path ? this.openErrors.get(path) : undefined;
          return {
            path,
            set: index,
            slot,
            healing: path !== null && (this.driveFiles.get(path)?.healing ?? false),
            unformatted: path !== null && (this.driveFiles.get(path)?.unformatted ?? false),
            ...(d ? { status: d.health.status() } : {}),
            ...(openError ? { openError } : {}),
          };
        }),
      })),
    };
  }

  /**
   * Looks at every drive's format and healing files, one look at a time, off
   * the main thread: a hung disk would otherwise stop the engine at the
   * health monitor's next poll. A drive that does not answer within
   * DRIVE_ANSWER_MS keeps what was last seen of it.
   */
  private lookAtDriveFiles(): Promise<void> {
    this.filesLook ??= Promise.all(this.deployment.sets.flatMap((layout) => layout.paths.map(async (path) => {
      if (path === null) return;
      // One look after the other, and none after a drive's first silence: on a disk that hangs, one look holds a thread.
      const answers: boolean[] = [];
      for (const p of [path, join(path, META_DIR, FORMAT_FILE), join(path, META_DIR, HEALING_FILE)]) {
        const there = await existsOnDrive(path, p, DRIVE_ANSWER_MS);
        if (there === null) return;
        answers.push(there);
      }
      const [root, format, healing] = answers;
      this.driveFiles.set(path, { healing, unformatted: root && !format });
    }))).then(() => { this.filesLook = null; });
    return this.filesLook;
  }

  // ---- the engine's own documents -------------------------------------------

  async putSystemObject(path: string, data: Buffer): Promise<void> {
    checkObjectKey(path);
    const set = this.setFor(SYSTEM_BUCKET, path);
    // Idempotent on every drive: also covers replacement drives that lack the bucket.
    await set.makeBucket(SYSTEM_BUCKET, Date.now());
    await set.putObject(SYSTEM_BUCKET, path, { body: Readable.from([data]), size: data.length, maxSize: data.length, metadata: {}, tags: {} });
  }

  async getSystemObject(path: string): Promise<Buffer | undefined> {
    checkObjectKey(path);
    const set = this.setFor(SYSTEM_BUCKET, path);
    let resolved;
    try {
      resolved = await set.resolveForRead(SYSTEM_BUCKET, path);
    } catch (err) {
      if (isGranaryError(err, 'NoSuchKey') || isGranaryError(err, 'NoSuchBucket')) return undefined;
      throw err;
    }
    const chunks: Buffer[] = [];
    for await (const c of set.read(SYSTEM_BUCKET, path, resolved, undefined)) chunks.push(Buffer.from(c));
    return Buffer.concat(chunks);
  }

  // ---- objects --------------------------------------------------------------

  private setFor(bucket: string, key: string): ErasureSet {
    if (this.sets.length === 1) return this.sets[0];
    const h = createHash('sha256').update(bucket).update('\0').update(key).digest();
    return this.sets[h.readUInt32BE(0) % this.sets.length];
  }

  private checkTarget(bucket: string, key: string): ErasureSet {
    this.requireBucket(bucket);
    checkObjectKey(key);
    return this.setFor(bucket, key);
  }

  async putObject(bucket: string, key: string, body: Body, opts: PutOptions = {}): Promise<ObjectInfo> {
    const set = this.checkTarget(bucket, key);
    const metadata = checkMetadata(opts.metadata);
    if (opts.size !== undefined && opts.size > LIMITS.maxObjectSize) throw new GranaryError('EntityTooLarge');
    const check = opts.precondition;
    const leave = set.foreground.enter();
    const record = await set.putObject(bucket, key, {
      body,
      size: opts.size,
      maxSize: LIMITS.maxObjectSize,
      metadata,
      checksums: opts.checksums,
      tags: checkTags(opts.tags),
      ...(check ? { precondition: (current: VersionRecord | null) => check(current && !current.deleted ? toInfo(bucket, key, current) : null) } : {}),
    }).finally(leave);
    return toInfo(bucket, key, record);
  }

  async headObject(bucket: string, key: string): Promise<ObjectInfo> {
    const set = this.checkTarget(bucket, key);
    return toInfo(bucket, key, (await set.resolveOffThread(bucket, key)).record);
  }

  async getObject(bucket: string, key: string, opts: GetOptions = {}): Promise<GetResult> {
    const set = this.checkTarget(bucket, key);
    const resolved = await set.resolveForRead(bucket, key);
    const info = toInfo(bucket, key, resolved.record);
    const range = typeof opts.range === 'function' ? opts.range(info) : opts.range;
    if (range && (range.start < 0 || range.start > range.end || range.start >= info.size)) {
      throw new GranaryError('InvalidRange', `The requested range ${range.start}-${range.end} is not satisfiable for an object of ${info.size} bytes.`);
    }
    const effective = range ? { start: range.start, end: Math.min(range.end, info.size - 1) } : undefined;
    if (set.isInline(resolved)) return { info, body: set.readInline(bucket, key, resolved, effective), ...(effective ? { range: effective } : {}) };
    const body = Readable.from(set.read(bucket, key, resolved, effective), { objectMode: false });
    // Until the body is consumed, closed or failed: a read is in flight for as long as its stream is.
    body.once('close', set.foreground.enter());
    return { info, body, ...(effective ? { range: effective } : {}) };
  }

  async deleteObject(bucket: string, key: string): Promise<boolean> {
    const set = this.checkTarget(bucket, key);
    return set.deleteObject(bucket, key);
  }

  async copyObject(src: { bucket: string; key: string }, dst: { bucket: string; key: string }, opts: CopyOptions = {}): Promise<ObjectInfo> {
    const from = this.checkTarget(src.bucket, src.key);
    this.checkTarget(dst.bucket, dst.key);
    const resolved = await from.resolveForRead(src.bucket, src.key);
    const { record } = resolved;
    return this.putObject(dst.bucket, dst.key, from.read(src.bucket, src.key, resolved), {
      size: record.size,
      metadata: opts.metadata ?? record.metadata,
      tags: opts.tags ?? record.tags ?? {},
      ...(opts.metadata ? {} : { checksums: record.checksums }),
    });
  }

  async getObjectTagging(bucket: string, key: string): Promise<Tags> {
    const set = this.checkTarget(bucket, key);
    return (await set.resolveOffThread(bucket, key)).record.tags ?? {};
  }

  async putObjectTagging(bucket: string, key: string, tags: Tags): Promise<void> {
    const set = this.checkTarget(bucket, key);
    const checked = checkTags(tags);
    await set.updateRecord(bucket, key, (r) => {
      const { tags: _old, ...rest } = r;
      return Object.keys(checked).length ? { ...rest, tags: checked } : rest;
    });
  }

  async listObjects(bucket: string, opts: ListOptions = {}): Promise<ListResult> {
    this.requireBucket(bucket);
    const prefix = opts.prefix ?? '';
    const delimiter = opts.delimiter ?? '';
    const after = opts.after ?? '';
    const maxKeys = opts.maxKeys ?? LIMITS.maxKeys;
    if (!Number.isInteger(maxKeys) || maxKeys < 0) throw new GranaryError('InvalidArgument', 'max-keys must be a non-negative integer.');
    const limit = Math.min(maxKeys, LIMITS.maxKeys);
    const result: ListResult = { objects: [], commonPrefixes: [], isTruncated: false };
    if (limit === 0) return result;

    // Strictly after the marker: a drive's scan of a common prefix stops at its first live row, which must be one to list.
    const from = compareKeys(after, prefix) >= 0 ? `${after}\u0000` : prefix;
    const upper = prefix ? prefixUpperBound(prefix) : null;
    const cursors = this.sets.map((s) => new SetListCursor(s, bucket, from, upper, limit + 1, delimiter ? { prefix, delimiter } : undefined));
    await this.fillListing(cursors, result, { prefix, delimiter, after, limit });
    return result;
  }

  private async fillListing(cursors: SetListCursor[], result: ListResult, { prefix, delimiter, after, limit }: { prefix: string; delimiter: string; after: string; limit: number }): Promise<void> {
    let count = 0;
    for (;;) {
      // The smallest next key of any set: sets hold disjoint keys.
      const heads = await Promise.all(cursors.map((c) => c.peek()));
      let at = -1;
      for (let i = 0; i < heads.length; i++) if (heads[i] !== null && (at < 0 || compareKeys(heads[i]!, heads[at]!) < 0)) at = i;
      if (at < 0) break;
      const key = heads[at]!;
      const cursor = cursors[at];
      const cut = delimiter ? key.indexOf(delimiter, prefix.length) : -1;
      if (cut >= 0) {
        const common = key.slice(0, cut + delimiter.length);
        // The previous page ended on this common prefix: continue after it.
        if (common === after) {
          const past = prefixUpperBound(common);
          if (past === null) break;
          for (const c of cursors) c.seek(past);
          continue;
        }
        // Keys of a common prefix can be tombstones or dangling; only list it when one of them exists.
        if (await prefixHasObject(cursors, common)) {
          if (count === limit) {
            result.isTruncated = true;
            break;
          }
          result.commonPrefixes.push(common);
          result.nextMarker = common;
          count++;
        }
        const past = prefixUpperBound(common);
        if (past === null) break;
        for (const c of cursors) c.seek(past);
        continue;
      }
      const entry = await cursor.take();
      if (!entry) continue;
      if (count === limit) {
        result.isTruncated = true;
        break;
      }
      result.objects.push({ key: entry.key, size: entry.size, etag: entry.etag, lastModified: new Date(entry.mtime) });
      result.nextMarker = entry.key;
      count++;
    }
  }

  // ---- multipart ------------------------------------------------------------

  async newMultipartUpload(bucket: string, key: string, opts: { metadata?: Metadata; checksumAlgorithm?: string; tags?: Tags } = {}): Promise<string> {
    const set = this.checkTarget(bucket, key);
    const upload = await set.newUpload(bucket, key, checkMetadata(opts.metadata), opts.checksumAlgorithm, checkTags(opts.tags));
    return upload.uploadId;
  }

  async putObjectPart(bucket: string, key: string, uploadId: string, partNumber: number, body: Body, opts: PartOptions = {}): Promise<PartInfo> {
    const set = this.checkTarget(bucket, key);
    checkPartNumber(partNumber);
    if (opts.size !== undefined && opts.size > LIMITS.maxPartSize) throw new GranaryError('EntityTooLarge', `A part may be at most ${LIMITS.maxPartSize} bytes.`);
    const part = await set.putPart(bucket, key, uploadId, partNumber, { body, size: opts.size, maxSize: LIMITS.maxPartSize, metadata: {}, checksums: opts.checksums });
    return { partNumber, etag: part.etag, size: part.size, lastModified: new Date(part.mtime), checksums: part.checksums ?? {} };
  }

  async listParts(bucket: string, key: string, uploadId: string, opts: { partNumberMarker?: number; maxParts?: number } = {}): Promise<ListPartsResult> {
    const set = this.checkTarget(bucket, key);
    const { upload } = await set.upload(bucket, key, uploadId);
    const marker = opts.partNumberMarker ?? 0;
    const max = Math.min(opts.maxParts ?? 1000, 1000);
    const all = [...(await set.parts(uploadId)).values()].map((p) => p.part).filter((p) => p.number > marker).sort((a, b) => a.number - b.number);
    const page = all.slice(0, max);
    return {
      parts: page.map((p) => ({ partNumber: p.number, etag: p.etag, size: p.size, lastModified: new Date(p.mtime), checksums: p.checksums ?? {} })),
      isTruncated: all.length > max,
      ...(all.length > max ? { nextPartNumberMarker: page[page.length - 1].number } : {}),
      metadata: upload.metadata,
      ...(upload.checksumAlgorithm ? { checksumAlgorithm: upload.checksumAlgorithm } : {}),
    };
  }

  async completeMultipartUpload(bucket: string, key: string, uploadId: string, parts: CompletePart[], opts: { checksums?: Record<string, string> } = {}): Promise<ObjectInfo> {
    const set = this.checkTarget(bucket, key);
    const { upload, holders } = await set.upload(bucket, key, uploadId);
    if (parts.length === 0) throw new GranaryError('InvalidRequest', 'You must specify at least one part.');
    if (parts.length > LIMITS.maxParts) throw new GranaryError('InvalidArgument', `An upload has at most ${LIMITS.maxParts} parts.`);
    for (let i = 1; i < parts.length; i++) {
      if (parts[i].partNumber <= parts[i - 1].partNumber) throw new GranaryError('InvalidPartOrder');
    }
    const stored = await set.parts(uploadId);
    const slotsOk = [...holders];
    const chosen = parts.map((p, i) => {
      checkPartNumber(p.partNumber);
      const s = stored.get(p.partNumber);
      if (!s || s.part.etag !== normalizeEtag(p.etag)) throw new GranaryError('InvalidPart', `Part ${p.partNumber} was not uploaded or its ETag does not match.`);
      if (i < parts.length - 1 && s.part.size < LIMITS.minPartSize) {
        throw new GranaryError('EntityTooSmall', `Part ${p.partNumber} is ${s.part.size} bytes; every part but the last must be at least ${LIMITS.minPartSize}.`);
      }
      // A drive that lacks this exact part cannot hold the completed object.
      s.holders.forEach((h, slot) => { if (!h) slotsOk[slot] = false; });
      return s.part;
    });
    const size = chosen.reduce((a, p) => a + p.size, 0);
    if (size > LIMITS.maxObjectSize) throw new GranaryError('EntityTooLarge');
    const record = await set.completeUpload(bucket, key, uploadId, {
      size,
      etag: multipartEtag(chosen.map((p) => p.etag)),
      metadata: upload.metadata,
      ...(opts.checksums && Object.keys(opts.checksums).length ? { checksums: opts.checksums } : {}),
      parts: chosen.map((p) => ({ number: p.number, size: p.size, etag: p.etag, ...(p.checksums ? { checksums: p.checksums } : {}) })),
    }, slotsOk);
    return toInfo(bucket, key, record);
  }

  async abortMultipartUpload(bucket: string, key: string, uploadId: string): Promise<void> {
    const set = this.checkTarget(bucket, key);
    await set.abortUpload(bucket, key, uploadId);
  }

  async listMultipartUploads(bucket: string, opts: ListUploadsOptions = {}): Promise<ListUploadsResult> {
    this.requireBucket(bucket);
    const prefix = opts.prefix ?? '';
    const delimiter = opts.delimiter ?? '';
    const max = Math.min(opts.maxUploads ?? 1000, 1000);
    let keyMarker = opts.keyMarker ?? '';
    let idMarker = opts.keyMarker ? opts.uploadIdMarker ?? '' : '';
    // Without an upload-id marker, S3 starts after every upload of the marker key.
    if (opts.keyMarker && !opts.uploadIdMarker) idMarker = '\uffff';
    if (compareKeys(keyMarker, prefix) < 0) {
      keyMarker = prefix;
      idMarker = '';
    }
    const result: ListUploadsResult = { uploads: [], commonPrefixes: [], isTruncated: false };
    for (;;) {
      const batch = (await Promise.all(this.sets.map((s) => s.uploadsAfter(bucket, keyMarker, idMarker, max + 1))))
        .flat()
        .sort((a, b) => compareKeys(a.key, b.key) || (a.uploadId < b.uploadId ? -1 : a.uploadId > b.uploadId ? 1 : 0));
      if (batch.length === 0) return result;
      for (const u of batch) {
        if (!u.key.startsWith(prefix)) return result;
        const count = result.uploads.length + result.commonPrefixes.length;
        const cut = delimiter ? u.key.indexOf(delimiter, prefix.length) : -1;
        const common = cut >= 0 ? u.key.slice(0, cut + delimiter.length) : null;
        if (common && result.commonPrefixes[result.commonPrefixes.length - 1] === common) continue;
        if (count === max) {
          result.isTruncated = true;
          return result;
        }
        if (common) {
          result.commonPrefixes.push(common);
          result.nextKeyMarker = common;
          delete result.nextUploadIdMarker;
          keyMarker = prefixUpperBound(common) ?? common;
          idMarker = '';
          break;
        }
        result.uploads.push({ key: u.key, uploadId: u.uploadId, initiated: new Date(u.initiated) });
        result.nextKeyMarker = u.key;
        result.nextUploadIdMarker = u.uploadId;
        keyMarker = u.key;
        idMarker = u.uploadId;
      }
    }
  }

  // ---- healing --------------------------------------------------------------

  async healObject(bucket: string, key: string): Promise<HealResult> {
    const set = this.checkTarget(bucket, key);
    const report = await set.healObject(bucket, key);
    return { healed: report.healed.map((h) => ({ drive: set.drives[h.slot]?.root ?? `slot ${h.slot}`, reason: h.reason })) };
  }

  /** Bad shards met while serving a read are healed in the background, one object at a time. */
  private queueHeal(bucket: string, key: string): void {
    this.healQueue.add(`${bucket}\0${key}`);
    if (this.healing) return;
    this.healing = (async () => {
      while (this.healQueue.size > 0) {
        const [name] = this.healQueue;
        this.healQueue.delete(name);
        const [b, k] = name.split('\0');
        try {
          const r = await this.healObject(b, k);
          if (r.healed.length) this.log(`healed ${b}/${k}: ${r.healed.map((h) => `${h.drive} (${h.reason})`).join(', ')}`);
        } catch (err) {
          if (!isGranaryError(err, 'NoSuchKey')) this.log(`heal of ${b}/${k} failed: ${(err as Error).message}`);
        }
      }
      this.healing = null;
    })();
  }

  /** Objects waiting for a background heal (monitoring). */
  get healQueueLength(): number {
    return this.healQueue.size;
  }

  /** Corrupt shard frames found by reads since the start, over every set (monitoring). */
  get bitrotErrors(): number {
    return this.sets.reduce((n, s) => n + s.counters.bitrotErrors, 0);
  }

  /** Resolves when no background heal is running (tests, shutdown). */
  async healIdle(): Promise<void> {
    while (this.healing) await this.healing;
  }
}

function toInfo(bucket: string, key: string, r: VersionRecord): ObjectInfo {
  return {
    bucket,
    key,
    size: r.size,
    etag: r.etag,
    lastModified: new Date(r.mtime),
    versionId: r.versionId,
    metadata: r.metadata,
    checksums: r.checksums ?? {},
    tags: r.tags ?? {},
    partSizes: r.parts.map((p) => p.size),
  };
}

function checkMetadata(metadata: Metadata | undefined): Metadata {
  const m = metadata ?? {};
  let bytes = 0;
  for (const [k, v] of Object.entries(m)) bytes += Buffer.byteLength(k) + Buffer.byteLength(v);
  if (bytes > MAX_METADATA_BYTES) throw new GranaryError('MetadataTooLarge');
  return m;
}

/** S3's tag rules: at most 10, keys 1–128 and values 0–256 characters of letters, digits, spaces and + - = . _ : / @. */
export function checkTags(tags: Tags | undefined): Tags {
  const t = tags ?? {};
  const entries = Object.entries(t);
  if (entries.length > 10) throw new GranaryError('InvalidTag', 'Object tags cannot be greater than 10.');
  const allowed = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$/u;
  for (const [k, v] of entries) {
    if (k.length < 1 || k.length > 128) throw new GranaryError('InvalidTag', `The tag key ${JSON.stringify(k)} must be 1 to 128 characters.`);
    if (v.length > 256) throw new GranaryError('InvalidTag', `The value of tag ${JSON.stringify(k)} is longer than 256 characters.`);
    if (!allowed.test(k) || !allowed.test(v)) throw new GranaryError('InvalidTag', `The tag ${JSON.stringify(k)} has characters S3 does not allow.`);
    if (k.startsWith('aws:')) throw new GranaryError('InvalidTag', 'Tag keys may not start with "aws:".');
  }
  return t;
}

function checkPartNumber(n: number): void {
  if (!Number.isInteger(n) || n < 1 || n > LIMITS.maxParts) {
    throw new GranaryError('InvalidArgument', `Part number must be an integer between 1 and ${LIMITS.maxParts}, inclusive.`);
  }
}

/**
 * Whether a key under `common`, from where the cursors stand, resolves to an
 * object: tombstones and dangling rows do not count. It consumes those keys,
 * which the caller skips anyway by seeking past `common`; the rows are
 * usually already read, so a common prefix costs no extra query.
 */
async function prefixHasObject(cursors: SetListCursor[], common: string): Promise<boolean> {
  for (const c of cursors) {
    for (let k = await c.peek(); k !== null && k.startsWith(common); k = await c.peek()) if (await c.take()) return true;
  }
  return false;
}
