import { randomUUID } from 'node:crypto';
import { mkdir, open, readFile, rm, stat, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { JobThread, type WithoutId } from '../common/job-thread.js';
import { DriveError, driveErrorFrom } from './drive-error.js';
import { onDrive } from './drive-looks.js';
import { DriveMonitor, driveMonitorOptions, type DriveMonitorOptions } from './drive-monitor.js';
import { assertFormatted, readFormat, type FormatBody } from './format.js';
import { ListRows } from './list-rows.js';
import type { CommonPrefixes } from './list-scan.js';
import type { MetaOp, OpResult } from './meta-ops.js';
import type { MetaReadJob, MetaReadReply, MetaReaderInit, RawVersionRow } from './meta-read.js';
import { MetaWriter } from './meta-writer.js';
import { DrivePaths, partFileName } from './paths.js';
import type { BucketRow, PartUploadRecord, StoredVersion, UploadRecord, VersionRecord } from './records.js';

/** The least time a drive's thread is given to start and open its database. */
const THREAD_START_MS = 20_000;

/** The first 16 bytes of every SQLite database file. */
const SQLITE_HEADER = Buffer.from('SQLite format 3\0', 'latin1');

/**
 * One local drive: a folder with a metadata DB and shard files. Every
 * metadata read (of a key, an upload, a listing's rows, the buckets) runs
 * on the drive's reader thread, so a disk that hangs holds only that
 * drive's answer, never the engine; WAL readers never wait for the writer.
 * Every change goes through the drive's writer thread.
 */
export class LocalDrive {
  readonly paths: DrivePaths;
  private readonly writer: MetaWriter;
  private readonly reader: JobThread<MetaReadJob, MetaReadReply>;
  /** Latency, errors, timeouts, space and online state of this drive (engine/drive/drive-monitor.ts). */
  readonly health: DriveMonitor;

  private constructor(root: string, readonly format: FormatBody, writer: MetaWriter, reader: JobThread<MetaReadJob, MetaReadReply>, monitor: DriveMonitorOptions) {
    this.paths = new DrivePaths(root);
    this.writer = writer;
    this.reader = reader;
    this.health = new DriveMonitor(root, monitor, () => this.probe());
  }

  /**
   * Opens a formatted drive: empties its staging area and starts its threads.
   * Each step has the drive's deadline: a disk that hangs here is an offline
   * drive (DriveError), and the engine starts without it.
   */
  static async open(root: string, monitor: DriveMonitorOptions = driveMonitorOptions()): Promise<LocalDrive> {
    const ms = monitor.timeoutMs;
    const format = assertFormatted(await readFormat(root, ms), root);
    const paths = new DrivePaths(root);
    try {
      await onDrive(root, 'write', 'emptying its staging folder', ms, async () => {
        await rm(paths.tmp, { recursive: true, force: true });
        await mkdir(paths.tmp, { recursive: true });
        await mkdir(paths.data, { recursive: true });
      });
    } catch (err) {
      throw driveErrorFrom(err, `preparing ${root}`);
    }
    // The writer makes (or migrates) the schema before it says it is ready, so the reader starts after it.
    // A thread's start-up is CPU work as well as the disk's (seconds under tsx on a busy machine): it gets more time than one operation.
    const startMs = Math.max(ms, THREAD_START_MS);
    const writer = new MetaWriter(root);
    try {
      await onDrive(root, 'write', 'opening its metadata DB', startMs, () => writer.ready);
    } catch (err) {
      writer.abandon();
      throw new DriveError('offline', `${root}: cannot open metadata DB: ${(err as Error).message}`, { cause: err });
    }
    const reader = new JobThread<MetaReadJob, MetaReadReply>(`metadata reader of ${root}`, new URL('./meta-read.worker', import.meta.url), { db: paths.db } satisfies MetaReaderInit);
    // Started now, so the first client read is not charged the thread's start-up against the drive's deadline.
    try {
      await onDrive(root, 'read', 'starting its metadata reader', startMs, () => reader.run({ q: 'ping' }));
    } catch (err) {
      reader.close();
      writer.abandon();
      throw new DriveError('offline', `${root}: cannot read its metadata DB: ${(err as Error).message}`, { cause: err });
    }
    const drive = new LocalDrive(root, format, writer, reader, monitor);
    drive.health.start();
    return drive;
  }

  get root(): string { return this.paths.root; }
  get id(): string { return this.format.driveId; }

  async close(): Promise<void> {
    this.health.stop();
    this.reader.close();
    await this.writer.close();
  }

  /** Never throws: a drive that fails, is offline or over its deadline answers ok: false. */
  async apply(op: MetaOp): Promise<OpResult> {
    try {
      return await this.health.run('write', op.op, async () => {
        const r = await this.writer.apply(op);
        // Failures the drive itself reports count against it; notFound is an answer.
        if (!r.ok && r.kind !== 'notFound') throw new DriveError(r.kind, r.message);
        return r;
      }, { freesSpace: !addsData(op) });
    } catch (err) {
      const e = driveErrorFrom(err, `${this.root}: ${op.op}`);
      return { ok: false, kind: e.kind, message: e.message };
    }
  }

  /** The liveness check of an offline drive: a small file written, synced, read back and removed. */
  private async probe(): Promise<void> {
    const path = join(this.paths.tmp, '.probe');
    const body = randomUUID();
    const fh = await open(path, 'w', 0o600);
    try {
      await fh.writeFile(body);
      await fh.datasync();
    } finally {
      await fh.close();
    }
    if ((await readFile(path, 'utf8')) !== body) throw new DriveError('io', `${this.root}: probe read back other bytes`);
    await rm(path, { force: true });
    // The DB file too, read asynchronously: a synchronous query here would hold the engine on the very disk being probed.
    const db = await open(this.paths.db, 'r');
    try {
      const header = Buffer.alloc(16);
      await db.read(header, 0, 16, 0);
      if (!header.equals(SQLITE_HEADER)) throw new DriveError('io', `${this.root}: metadata DB header unreadable`);
    } finally {
      await db.close();
    }
  }

  // ---- metadata reads -------------------------------------------------------

  /**
   * A key's version rows, read on the drive's reader thread under the
   * drive's deadline: while the disk hangs, the engine goes on, and the caller
   * decides how long to wait (resolveAsking). `withInline` brings the
   * current row's inline frames (if it has any) in `inline`: a small GET
   * is one statement per drive, not two.
   */
  async versionsOffThread(bucket: string, key: string, opts: { withInline: boolean }): Promise<StoredVersion[]> {
    const reply = await this.readOffThread({ q: opts.withInline ? 'versionsWithInline' : 'versions', bucket, key });
    return reply.rows!.map(storedVersion);
  }

  /**
   * Rows with from <= key < to (to = null: no upper bound), in UTF-8 byte
   * order, each common prefix cut short at its first live row when `common`
   * is given (list-scan.ts), and where the next scan starts (null: nothing
   * more). Read on the reader thread as `versionsOffThread` is: a listing
   * that meets a hung disk holds itself, not the engine.
   */
  async listRowsOffThread(bucket: string, from: string, to: string | null, limit: number, common?: CommonPrefixes): Promise<{ rows: ListRows; next: string | null }> {
    const reply = await this.readOffThread({ q: 'listRows', bucket, from, to, limit, ...(common ? { common } : {}) });
    return { rows: new ListRows(reply.listRows!), next: reply.next ?? null };
  }

  /** Every bucket row, read on the reader thread. */
  async bucketsOffThread(): Promise<BucketRow[]> {
    return (await this.readOffThread({ q: 'buckets' })).buckets!;
  }

  /** One version's inline frames, read on the reader thread as `versionsOffThread` is. */
  async inlineOffThread(bucket: string, key: string, versionId: string): Promise<Uint8Array | undefined> {
    const reply = await this.readOffThread({ q: 'inline', bucket, key, versionId });
    return reply.data ?? undefined;
  }

  /** A multipart upload's record, read on the reader thread as `versionsOffThread` is. */
  async uploadOffThread(uploadId: string): Promise<UploadRecord | undefined> {
    const reply = await this.readOffThread({ q: 'upload', uploadId });
    return reply.records!.length > 0 ? (JSON.parse(reply.records![0]) as UploadRecord) : undefined;
  }

  /** The records of an upload's parts, by part number, read on the reader thread. */
  async partsOffThread(uploadId: string): Promise<PartUploadRecord[]> {
    const reply = await this.readOffThread({ q: 'parts', uploadId });
    return reply.records!.map((r) => JSON.parse(r) as PartUploadRecord);
  }

  /** Uploads after (keyMarker, uploadIdMarker), ordered by key then upload id, read on the reader thread. */
  async uploadsAfterOffThread(bucket: string, keyMarker: string, uploadIdMarker: string, limit: number): Promise<UploadRecord[]> {
    const reply = await this.readOffThread({ q: 'uploadsAfter', bucket, keyMarker, uploadIdMarker, limit });
    return reply.records!.map((r) => JSON.parse(r) as UploadRecord);
  }

  // ---- shard files ----------------------------------------------------------

  /** A fresh folder under tmp/ for one write's shards (one that outlives a timeout is collected with the staging leftovers). */
  async newStagingDir(): Promise<string> {
    if (!this.health.online) throw new DriveError('offline', `${this.root}: offline`);
    if (this.health.full) throw new DriveError('full', `${this.root}: no space left`);
    const dir = join(this.paths.tmp, randomUUID());
    await this.health.run('write', 'staging', () => mkdir(dir));
    return dir;
  }

  async removeStaging(dir: string): Promise<void> {
    await rm(dir, { recursive: true, force: true }).catch(() => undefined);
  }

  async createShardFile(path: string): Promise<ShardFileWriter> {
    const fh = await this.health.run('write', `creating ${path}`, () => open(path, 'wx', 0o600));
    return new ShardFileWriter(path, fh, this.health);
  }

  async openShard(dataDir: string, partNumber: number): Promise<ShardFileReader> {
    const path = join(this.paths.dataDir(dataDir), partFileName(partNumber));
    const fh = await this.health.run('read', `opening ${path}`, () => open(path, 'r'));
    return new ShardFileReader(path, fh, this.health);
  }

  /** A shard file's size, under the drive's deadline: the scanner's quick check must not wait on a hung disk. */
  async shardSize(dataDir: string, partNumber: number): Promise<number> {
    const path = join(this.paths.dataDir(dataDir), partFileName(partNumber));
    return (await this.health.run('read', `looking at ${path}`, () => stat(path))).size;
  }

  /** One job of the reader thread, under the drive's deadline and counted as its reads are. */
  private readOffThread(job: WithoutId<MetaReadJob>): Promise<MetaReadReply> {
    return this.health.run('read', 'metadata read', () => this.reader.run(job));
  }
}

function storedVersion(r: RawVersionRow): StoredVersion {
  return {
    record: JSON.parse(r.record) as VersionRecord,
    current: r.current === 1,
    ...(r.data ? { inline: r.data } : {}),
  };
}

/** Deletes, reverts and metadata-only changes go on when a drive is full: they are how space comes back. */
function addsData(op: MetaOp): boolean {
  switch (op.op) {
    case 'putVersion': return op.inline !== undefined || op.stagedDir !== undefined || !op.record.deleted;
    case 'putUpload': case 'putPart': case 'completeUpload': case 'makeBucket': return true;
    default: return false;
  }
}

/** Written bytes after which a flush starts in the background, so the disk works while the next blocks are encoded. */
const EARLY_SYNC_BYTES = 4 * 1024 * 1024;

export class ShardFileWriter {
  private unsynced = 0;
  private syncing: Promise<void> | null = null;

  constructor(readonly path: string, private readonly fh: FileHandle, private readonly health: DriveMonitor) {}

  async write(chunks: Uint8Array[]): Promise<void> {
    await this.health.run('write', `writing ${this.path}`, () => this.fh.writev(chunks));
    for (const c of chunks) this.unsynced += c.length;
    if (this.unsynced >= EARLY_SYNC_BYTES && !this.syncing) {
      this.unsynced = 0;
      this.syncing = this.fh.datasync().finally(() => { this.syncing = null; });
      this.syncing.catch(() => undefined);
    }
  }

  /** Durable before it returns: the commit that follows may make it visible. */
  async finish(): Promise<void> {
    try {
      await this.health.run('write', `syncing ${this.path}`, async () => {
        await this.syncing;
        await this.fh.datasync();
      });
      await this.fh.close();
    } catch (err) {
      await this.fh.close().catch(() => undefined);
      throw driveErrorFrom(err, `syncing ${this.path}`);
    }
  }

  async abort(): Promise<void> {
    await this.syncing?.catch(() => undefined);
    await this.fh.close().catch(() => undefined);
    await rm(this.path, { force: true }).catch(() => undefined);
  }
}

export class ShardFileReader {
  constructor(readonly path: string, private readonly fh: FileHandle, private readonly health: DriveMonitor) {}

  /** Reads exactly `length` bytes at `position` into `into`, or throws notFound on a short file. */
  async readExactly(into: Uint8Array, position: number): Promise<void> {
    let done = 0;
    await this.health.run('read', `reading ${this.path}`, async () => {
      while (done < into.length) {
        const { bytesRead } = await this.fh.read(into, done, into.length - done, position + done);
        if (bytesRead === 0) throw new DriveError('notFound', `${this.path}: shard truncated at ${position + done}`);
        done += bytesRead;
      }
    });
  }

  async close(): Promise<void> {
    await this.fh.close().catch(() => undefined);
  }
}
