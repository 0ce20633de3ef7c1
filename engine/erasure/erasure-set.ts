import { createHash, randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { GranaryError } from '../common/errors.js';
import type { LocalDrive, ShardFileWriter } from '../drive/local-drive.js';
import { isSilence } from '../drive/drive-error.js';
import type { MetaOp, OpResult } from '../drive/meta-ops.js';
import type { PartRecord, PartUploadRecord, StoredVersion, UploadRecord, VersionRecord } from '../drive/records.js';
import { agreedRecord } from './record-agreement.js';
import { askDrives } from './ask-drives.js';
import { ForegroundGate } from './foreground-gate.js';
import { sharedBuffers } from './buffer-pool.js';
import { blockHash, HASH_ALGORITHM, HASH_LEN } from './bitrot.js';
import { distributionFor } from './distribution.js';
import { KeyLock } from './key-lock.js';
import { PartLayout, writeQuorum } from './layout.js';
import { encodePart } from './part-encoder.js';
import { PartDecoder, type BadShard, type ShardSource } from './part-decoder.js';
import { resolveAsking } from './resolve-asking.js';
import type { Resolved } from './resolve-version.js';
import { quickCheck, type Damage } from './shard-check.js';
import { isDangling, takeCensus } from './version-census.js';
import type { SetContext } from './set-context.js';

export interface PutInput {
  body: AsyncIterable<Uint8Array>;
  size?: number;
  maxSize: number;
  metadata: Record<string, string>;
  tags?: Record<string, string>;
  /** Runs under the key's lock before the commit with the current version (null when none); throws to refuse. */
  precondition?: (current: VersionRecord | null) => void;
  /** Known once the body has been read, when the client sends them as trailers or the S3 layer hashes the stream. */
  checksums?: Record<string, string> | (() => Record<string, string> | undefined);
}

function checksumsOf(input: PutInput): Record<string, string> | undefined {
  const c = typeof input.checksums === 'function' ? input.checksums() : input.checksums;
  return c && Object.keys(c).length > 0 ? c : undefined;
}

/** A key's version rows as one drive's reader thread reads them (askDrives, resolveAsking). */
function askVersions(bucket: string, key: string, withInline: boolean): (d: LocalDrive) => Promise<StoredVersion[]> {
  return (d) => d.versionsOffThread(bucket, key, { withInline });
}

/** A resolved version, or NoSuchKey when there is none (deleted, or never on a quorum). */
function found(r: Resolved | null): Resolved {
  if (!r) throw new GranaryError('NoSuchKey');
  return r;
}

export interface ByteRange { start: number; end: number } // inclusive

export interface HealOptions {
  /** Read and hash every shard frame (default); false: presence and size only. */
  deep?: boolean;
  /** Find, change nothing. */
  dryRun?: boolean;
}

export interface HealReport {
  /** Slots rewritten (or, in a dry run, to be rewritten), by what was wrong. */
  healed: { slot: number; reason: Damage }[];
  /** The key had no version to heal. */
  absent: boolean;
  /** Versions on too few drives to ever be read, removed (dry run: to be removed). */
  dangling: { versionId: string; slots: number[] }[];
  /** Slots whose superseded rows were dropped. */
  stale: number[];
  /** Slots whose row of the current version differed from the other drives' (metadata only), rewritten. */
  diverged: number[];
  /** Slots whose drive did not answer: their copy was neither checked nor healed. */
  unanswered: number[];
  /** Bytes of the current version (0 for a tombstone or an absent key). */
  size: number;
}

/** An object's bytes are larger than this shard size per drive: shards go to files, not the DB. */
export const INLINE_SHARD_MAX = 128 * 1024;

/**
 * A rebuild works on spans of blocks whose frames, for every shard of the
 * set, fit in this many bytes: reads and writes of a few MiB, and a bounded
 * buffer per object in flight.
 */
const HEAL_SPAN_BYTES = 8 * 1024 * 1024;
/** Span buffers, shared with the span decoder thread. */
const spanBuffers = (size: number) => sharedBuffers(size, 8);

/**
 * One erasure set: k + m drives that store every object of the keys placed on
 * it. Writes stage shards, commit on every drive and succeed on a write
 * quorum (rolled back otherwise); reads resolve the current version from the
 * drives' rows and decode from any k verified shards.
 */
export class ErasureSet {
  private readonly lock = new KeyLock();
  readonly n: number;
  readonly writeQuorum: number;
  /**
   * Drives that must answer for a listing to be whole: a committed key (or
   * upload) is on at least a write quorum of drives, so with fewer than
   * n - writeQuorum + 1 answering, one could be on none of them and silently
   * missing.
   */
  readonly listQuorum: number;
  /** Shards found bad while reading; the object layer heals them in the background. */
  onBadShard: (bucket: string, key: string, bad: BadShard) => void = () => undefined;
  /** Running counts for monitoring (engine/metrics reads them through the object layer). */
  readonly counters = { bitrotErrors: 0 };

  /** Client requests in flight here; background heals wait for a quiet moment (engine/heal/sweep.ts). */
  readonly foreground = new ForegroundGate();

  constructor(readonly ctx: SetContext) {
    this.n = ctx.k + ctx.m;
    this.writeQuorum = writeQuorum(ctx.k, ctx.m);
    this.listQuorum = Math.max(ctx.k, this.n - this.writeQuorum + 1);
  }

  get drives(): (LocalDrive | null)[] { return this.ctx.drives; }

  // ---- buckets --------------------------------------------------------------

  async makeBucket(bucket: string, created: number): Promise<void> {
    const results = await this.applyAll(() => ({ op: 'makeBucket', bucket, created }));
    this.requireQuorum(results, `creating bucket ${bucket}`);
  }

  async deleteBucket(bucket: string): Promise<void> {
    const results = await this.applyAll(() => ({ op: 'deleteBucket', bucket }));
    this.requireQuorum(results, `deleting bucket ${bucket}`);
  }

  // ---- objects --------------------------------------------------------------

  async putObject(bucket: string, key: string, input: PutInput): Promise<VersionRecord> {
    this.assertSpace();
    const dist = distributionFor(bucket, key, this.n);
    const staging = this.newStaging();
    try {
      const encoded = await encodePart(this.ctx, dist, input.body, {
        expectedSize: input.size,
        maxSize: input.maxSize,
        inlineLimit: Math.min(INLINE_SHARD_MAX * this.ctx.k, this.ctx.blockSize),
        openFiles: () => staging.open('part.1'),
      });
      const etag = encoded.md5.toString('hex');
      const checksums = checksumsOf(input);
      const record: VersionRecord = {
        versionId: randomUUID(),
        mtime: Date.now(),
        size: encoded.size,
        etag,
        metadata: input.metadata,
        ...(checksums ? { checksums } : {}),
        ...(input.tags && Object.keys(input.tags).length ? { tags: input.tags } : {}),
        erasure: this.erasureInfo(dist),
        ...(encoded.inline ? {} : { dataDir: newDataDir() }),
        parts: [{ number: 1, size: encoded.size, etag }],
      };
      const opFor = (slot: number): MetaOp | null => {
        if (encoded.slotFailed[slot]) return null;
        return { op: 'putVersion', bucket, key, record, ...(encoded.inline ? { inline: encoded.inline[slot] } : { stagedDir: staging.dirs[slot]! }) };
      };
      const check = input.precondition;
      if (check) {
        await this.lock.run(lockName(bucket, key), async () => {
          check(await this.currentOrNull(bucket, key));
          await this.commitLocked(bucket, key, record, opFor);
        });
      } else {
        await this.commitVersion(bucket, key, record, opFor);
      }
      return record;
    } finally {
      await staging.cleanup();
    }
  }

  private async currentOrNull(bucket: string, key: string): Promise<VersionRecord | null> {
    try {
      return (await this.resolveOffThread(bucket, key)).record;
    } catch (err) {
      if (err instanceof GranaryError && err.code === 'NoSuchKey') return null;
      throw err;
    }
  }

  /**
   * The current version, or NoSuchKey. Each drive is read on its reader
   * thread, so a disk that hangs holds only this request, and only until
   * its drive lags (resolveAsking).
   */
  async resolveOffThread(bucket: string, key: string): Promise<Resolved> {
    return found((await resolveAsking(this.ctx.drives, askVersions(bucket, key, false), this.ctx.k, `${bucket}/${key}`)).resolved);
  }

  /** As `resolveOffThread`, for a read of the bytes: an inline version's frames come in the same query. */
  async resolveForRead(bucket: string, key: string): Promise<Resolved> {
    const { resolved, slots } = await resolveAsking(this.ctx.drives, askVersions(bucket, key, true), this.ctx.k, `${bucket}/${key}`);
    const r = found(resolved);
    if (r.record.dataDir) return r;
    const id = r.record.versionId;
    return this.withInlineFrames(bucket, key, { ...r, frames: slots.map((rows) => rows?.find((v) => v.record.versionId === id)?.inline) });
  }

  /**
   * An inline version with every holder's frames (a decoder reads them
   * synchronously). Those not read with the rows (all of them after
   * `resolveOffThread`; a holder where this version is no longer current
   * after `resolveForRead`) are read now, on the reader threads.
   */
  async withInlineFrames(bucket: string, key: string, resolved: Resolved): Promise<Resolved> {
    if (resolved.record.dataDir) return resolved;
    const frames = resolved.frames ?? [];
    const missing = this.ctx.drives.map((d, slot) => (resolved.holders[slot] && !frames[slot] ? d : null));
    if (!missing.some((d) => d)) return resolved;
    // k frames decode the version: a holder that lags is not waited for once the others give that many.
    const enough = (answers: readonly (Uint8Array | undefined | null)[]) => this.ctx.drives.filter((_, slot) => frames[slot] || answers[slot]).length >= this.ctx.k;
    const read = await askDrives(missing, (d) => d.inlineOffThread(bucket, key, resolved.record.versionId), enough);
    return { ...resolved, frames: this.ctx.drives.map((_, slot) => frames[slot] ?? read[slot] ?? undefined) };
  }

  /** The bytes of a resolved version in `range`, block by block, one block read ahead. */
  async *read(bucket: string, key: string, version: Resolved, range?: ByteRange): AsyncGenerator<Uint8Array> {
    const resolved = await this.withInlineFrames(bucket, key, version);
    const { record } = resolved;
    const start = range?.start ?? 0;
    const end = range?.end ?? record.size - 1;
    let partStart = 0;
    for (const part of record.parts) {
      const partEnd = partStart + part.size - 1;
      if (part.size > 0 && partEnd >= start && partStart <= end) {
        yield* this.readPart(bucket, key, resolved, part, Math.max(start, partStart) - partStart, Math.min(end, partEnd) - partStart);
      }
      partStart += part.size;
      if (partStart > end) break;
    }
  }

  private async *readPart(bucket: string, key: string, resolved: Resolved, part: PartRecord, from: number, to: number): AsyncGenerator<Uint8Array> {
    const { layout, decoder } = this.readDecoder(bucket, key, resolved, part);
    const B = layout.blockSize;
    const first = Math.floor(from / B);
    const last = Math.floor(to / B);
    const fetch = (i: number) => {
      const p = decoder.readBlock(i);
      p.catch(() => undefined);
      return p;
    };
    try {
      let next = fetch(first);
      for (let i = first; i <= last; i++) {
        const shards = await next;
        if (i < last) next = fetch(i + 1);
        const blockStart = i * B;
        const lo = Math.max(from, blockStart) - blockStart;
        const hi = Math.min(to, blockStart + layout.blockLength(i) - 1) - blockStart;
        yield* sliceShards(shards, layout.shardLength(i), lo, hi);
      }
    } finally {
      await decoder.close();
    }
  }

  /** Whether `read` of this version could be `readInline` instead. */
  isInline(resolved: Resolved): boolean {
    return !resolved.record.dataDir && resolved.record.parts.length === 1;
  }

  /**
   * The bytes of an inline version in `range`, at once: its frames are in the
   * metadata rows (read with them by `resolveForRead`), so a small GET is
   * answered from one buffer instead of a stream. Checked and repaired as `read` does.
   */
  readInline(bucket: string, key: string, resolved: Resolved, range?: ByteRange): Buffer {
    if (!this.isInline(resolved)) throw new Error(`${bucket}/${key}: not an inline version`);
    const part = resolved.record.parts[0];
    const from = range?.start ?? 0;
    const to = range?.end ?? part.size - 1;
    if (part.size === 0 || to < from) return Buffer.alloc(0);
    const { layout, decoder } = this.readDecoder(bucket, key, resolved, part);
    const B = layout.blockSize;
    const out: Uint8Array[] = [];
    for (let i = Math.floor(from / B); i <= Math.floor(to / B); i++) {
      const blockStart = i * B;
      const lo = Math.max(from, blockStart) - blockStart;
      const hi = Math.min(to, blockStart + layout.blockLength(i) - 1) - blockStart;
      out.push(...sliceShards(decoder.readInlineBlock(i), layout.shardLength(i), lo, hi));
    }
    return Buffer.concat(out);
  }

  /** A decoder for client reads: a corrupt or missing shard it meets is counted and queued for healing. */
  private readDecoder(bucket: string, key: string, resolved: Resolved, part: PartRecord): { layout: PartLayout; decoder: PartDecoder } {
    const { record } = resolved;
    const layout = new PartLayout(part.size, record.erasure.blockSize, this.ctx.k);
    const decoder = new PartDecoder(this.ctx, record.erasure.distribution, layout, this.shardSource(bucket, key, resolved, part), resolved.holders, (bad) => {
      // Counted where reads find them, not again when the heal re-verifies the same shard.
      if (bad.reason === 'corrupt') {
        this.counters.bitrotErrors++;
        this.ctx.drives[bad.slot]?.health.noteBitrot();
      }
      this.onBadShard(bucket, key, bad);
    });
    return { layout, decoder };
  }

  private shardSource(bucket: string, key: string, resolved: Resolved, part: PartRecord): ShardSource {
    const { record } = resolved;
    if (!record.dataDir) {
      return {
        kind: 'inline',
        // Every holder's frames were read before the decoder was built (withInlineFrames): one without them has none.
        frames: this.ctx.drives.map((d, slot) => (d && resolved.holders[slot] ? resolved.frames?.[slot] ?? null : null)),
      };
    }
    const dataDir = record.dataDir;
    return {
      kind: 'file',
      open: (slot) => {
        const d = this.ctx.drives[slot];
        if (!d) return Promise.reject(new Error('offline'));
        return d.openShard(dataDir, part.number);
      },
    };
  }

  async deleteObject(bucket: string, key: string): Promise<boolean> {
    return this.lock.run(lockName(bucket, key), async () => {
      try {
        await this.resolveOffThread(bucket, key);
      } catch (err) {
        if (err instanceof GranaryError && err.code === 'NoSuchKey') return false;
        throw err;
      }
      const record: VersionRecord = {
        versionId: randomUUID(),
        mtime: Date.now(),
        size: 0,
        etag: '',
        deleted: true,
        metadata: {},
        erasure: this.erasureInfo(distributionFor(bucket, key, this.n)),
        parts: [],
      };
      await this.commitLocked(bucket, key, record, () => ({ op: 'putVersion', bucket, key, record }));
      return true;
    });
  }

  /** Changes the current version's record in place (tags): the shards stay as they are. */
  async updateRecord(bucket: string, key: string, change: (r: VersionRecord) => VersionRecord): Promise<VersionRecord> {
    return this.lock.run(lockName(bucket, key), async () => {
      const { record, holders } = await this.resolveOffThread(bucket, key);
      const updated = { ...change(record), versionId: record.versionId };
      const results = await this.applyEach((slot) => (holders[slot] ? { op: 'updateRecord', bucket, key, record: updated } : null));
      this.requireQuorum(results, `updating ${bucket}/${key}`);
      return updated;
    });
  }

  /**
   * Brings one key back to health on every online drive: removes versions
   * that can never reach a read quorum (dangling), drops superseded rows a
   * lost finalize left behind, and rewrites the current version (a tombstone
   * included) on every drive that lacks its row or holds a missing, short or
   * corrupt shard. The quick check stats part files; the deep one (the
   * default, what reads ask for) also reads and hashes every frame.
   * A dry run finds the same things and changes nothing.
   */
  async healObject(bucket: string, key: string, opts: HealOptions = {}): Promise<HealReport> {
    const deep = opts.deep ?? true;
    const k = this.ctx.k;
    return this.lock.run(lockName(bucket, key), async () => {
      const report: HealReport = { healed: [], absent: false, dangling: [], stale: [], diverged: [], unanswered: [], size: 0 };
      // Every drive's answer, each under its deadline: a heal that left a lagging drive out would take it for one
      // that lacks the version. Off the main thread, so a hung disk holds this heal, not the engine.
      let silent: boolean[] = [];
      const ask = async () => {
        const answers = await askDrives(this.ctx.drives, askVersions(bucket, key, false), () => false);
        silent = answers.map((a) => a === null);
        return takeCensus(answers, k);
      };
      let census = await ask();
      const dangling = census.versions.filter((v) => isDangling(v, census, k));
      for (const v of dangling) report.dangling.push({ versionId: v.record.versionId, slots: slotsOf(v.holders) });
      if (dangling.length > 0 && !opts.dryRun) {
        // Newest first: each revert brings back the row the dangling one superseded.
        for (const v of dangling) await this.applyEach((slot) => (v.holders[slot] ? { op: 'revert', bucket, key, versionId: v.record.versionId } : null));
        census = await ask();
      }
      const winner = census.winner;
      if (!winner) {
        report.absent = true;
        return report;
      }
      // The row most drives hold: a drive that missed a metadata-only change must not hand its stale row on.
      const agreed = agreedRecord(winner);
      const record = agreed.record;
      report.size = record.deleted ? 0 : record.size;
      const danglingIds = new Set(dangling.map((v) => v.record.versionId));
      // Drives that did not answer (the census or the check): neither judged nor read from, this time.
      const unanswered = new Set<number>();
      for (let slot = 0; slot < this.n; slot++) {
        const d = this.ctx.drives[slot];
        if (!d) continue;
        if (silent[slot]) {
          unanswered.add(slot);
          continue;
        }
        if (!winner.holders[slot]) {
          report.healed.push({ slot, reason: 'metadata' });
          continue;
        }
        let damage: Damage | null;
        try {
          damage = await quickCheck(d, bucket, key, record, k);
        } catch (err) {
          if (isSilence(err)) {
            unanswered.add(slot);
            continue;
          }
          damage = 'missing';
        }
        if (damage) report.healed.push({ slot, reason: damage });
        else if (winner.current[slot] && census.versions.some((v) => v !== winner && v.holders[slot] && !danglingIds.has(v.record.versionId))) report.stale.push(slot);
      }
      const resolved: Resolved = { record, holders: winner.holders };
      if (deep && record.dataDir) {
        for (const part of record.parts) {
          // A deep check hashes frames and drops them: one buffer per slot serves every block.
          const decoder = this.decoderFor(bucket, key, resolved, part, () => undefined, true);
          try {
            for (let slot = 0; slot < this.n; slot++) {
              if (!this.ctx.drives[slot] || !winner.holders[slot] || unanswered.has(slot) || report.healed.some((h) => h.slot === slot)) continue;
              const reason = await decoder.verifySlot(slot);
              if (reason) report.healed.push({ slot, reason });
            }
          } finally {
            await decoder.close();
          }
        }
      }
      report.unanswered = [...unanswered];
      report.diverged = agreed.outliers.filter((slot) => !report.healed.some((h) => h.slot === slot));
      if (opts.dryRun) return report;
      if (report.diverged.length > 0) {
        await this.applyEach((slot) => (report.diverged.includes(slot) ? { op: 'updateRecord', bucket, key, record } : null));
      }
      if (report.stale.length > 0) {
        await this.applyEach((slot) => (report.stale.includes(slot) ? { op: 'finalize', bucket, key, versionId: record.versionId } : null));
      }
      if (report.healed.length === 0) return report;

      // Readable holders exclude the slots being healed.
      const sources = winner.holders.map((h, slot) => h && !unanswered.has(slot) && !report.healed.some((x) => x.slot === slot));
      const targets = report.healed.map((h) => h.slot);
      const staging = this.newStaging();
      try {
        const inline: (Uint8Array | null)[] = new Array(this.n).fill(null);
        const inlineSource = record.dataDir ? null : await this.withInlineFrames(bucket, key, { record, holders: sources });
        for (const part of record.parts) {
          if (record.dataDir) {
            await this.rebuildPartToFiles(bucket, key, { record, holders: sources }, part, targets, staging, `part.${part.number}`);
          } else {
            const frames: Uint8Array[][] = Array.from({ length: this.n }, () => []);
            await this.rebuildPart(bucket, key, inlineSource!, part, targets, async (slot, frame) => { frames[slot].push(...frame.map((f) => Buffer.from(f))); });
            for (const slot of targets) inline[slot] = Buffer.concat(frames[slot]);
          }
        }
        const results = await Promise.all(targets.map((slot) => {
          const d = this.ctx.drives[slot];
          if (!d) return Promise.resolve<OpResult>({ ok: false, kind: 'offline', message: `slot ${slot} went offline` });
          const data = record.deleted ? {} : record.dataDir ? { stagedDir: staging.dirs[slot]! } : { inline: inline[slot]! };
          return d.apply({ op: 'putVersion', bucket, key, record, ...data });
        }));
        const failed = results.filter((r) => !r.ok);
        if (failed.length > 0) throw new GranaryError('InternalError', `heal of ${bucket}/${key}: ${failed.map((f) => (f.ok ? '' : f.message)).join('; ')}`);
        // A drive that missed the write still had the older version current: it is superseded now.
        const superseded = targets.filter((_, i) => { const r = results[i]; return r.ok && r.superseded; });
        if (superseded.length > 0) await this.applyEach((slot) => (superseded.includes(slot) ? { op: 'finalize', bucket, key, versionId: record.versionId } : null));
      } finally {
        await staging.cleanup();
      }
      return report;
    });
  }

  /**
   * Rebuilds `targets`' shards of one part into staging files named `file`,
   * a span of blocks at a time: memory stays bounded whatever the part's
   * size, reads and writes stay large, and the hashing and decoding run on
   * the span decoder thread. The files are durable when it returns.
   */
  private async rebuildPartToFiles(bucket: string, key: string, resolved: Resolved, part: PartRecord, targets: number[], staging: ReturnType<ErasureSet['newStaging']>, file: string): Promise<void> {
    const writers = await staging.open(file, targets);
    const lost = targets.find((slot) => !writers[slot]);
    if (lost !== undefined) throw new GranaryError('XGranaryWriteQuorum', `heal: slot ${lost} cannot be written`);
    const dist = resolved.record.erasure.distribution;
    const layout = new PartLayout(part.size, resolved.record.erasure.blockSize, this.ctx.k);
    const frameSize = HASH_LEN + layout.fullShard;
    const perSpan = Math.max(1, Math.floor(HEAL_SPAN_BYTES / (this.n * frameSize)));
    const stride = perSpan * frameSize;
    const pool = spanBuffers(this.n * stride);
    const span = pool.acquire();
    const decoder = this.decoderFor(bucket, key, resolved, part, () => undefined);
    try {
      for (let first = 0; first < layout.blocks; first += perSpan) {
        const count = Math.min(perSpan, layout.blocks - first);
        await decoder.rebuildSpan(first, count, targets.map((slot) => dist[slot]), span, stride);
        const bytes = layout.framesBytes(first, count);
        await Promise.all(targets.map((slot) => writers[slot]!.write([span.subarray(dist[slot] * stride, dist[slot] * stride + bytes)])));
      }
      await Promise.all(targets.map((slot) => writers[slot]!.finish()));
    } finally {
      await decoder.close();
      pool.release(span);
    }
  }

  /**
   * Brings an unfinished multipart upload back onto every online drive: the
   * upload's row where it is missing, and each part's row and shard file,
   * rebuilt from the drives that hold the part, where either is missing (a
   * replaced drive). Without it, the object completed later would lack that
   * drive's shards until the scanner came by. Returns the (slot, part) pairs
   * rebuilt; a dry run finds them and changes nothing.
   */
  async healUpload(bucket: string, key: string, uploadId: string, opts: { dryRun?: boolean } = {}): Promise<{ rows: number[]; parts: { slot: number; part: number }[] }> {
    const { upload, holders } = await this.upload(bucket, key, uploadId);
    const online = this.ctx.drives.map((d) => d !== null);
    const rows = online.flatMap((on, slot) => (on && !holders[slot] ? [slot] : []));
    const parts = [...(await this.parts(uploadId)).values()];
    const missing = parts.flatMap(({ part, holders: h }) => online.flatMap((on, slot) => (on && !h[slot] ? [{ slot, part: part.number }] : [])));
    if (opts.dryRun || (rows.length === 0 && missing.length === 0)) return { rows, parts: missing };
    if (rows.length > 0) {
      const results = await this.applyEach((slot) => (rows.includes(slot) ? { op: 'putUpload', upload } : null));
      const failed = results.find((r) => r && !r.ok);
      if (failed && !failed.ok) throw new GranaryError('InternalError', `heal of upload ${uploadId}: ${failed.message}`);
    }
    // The decoder reads an upload's parts as it reads an object's: the same frames in the same data folder.
    const asRecord: VersionRecord = { versionId: uploadId, mtime: upload.initiated, size: 0, etag: '', metadata: upload.metadata, erasure: upload.erasure, dataDir: upload.dataDir, parts: [] };
    for (const { part, holders: h } of parts) {
      const targets = missing.filter((m) => m.part === part.number).map((m) => m.slot);
      if (targets.length === 0) continue;
      await this.lock.run(`${uploadId}\0${part.number}`, async () => {
        const staging = this.newStaging();
        try {
          await this.rebuildPartToFiles(bucket, key, { record: asRecord, holders: h }, part, targets, staging, 'part');
          const results = await Promise.all(targets.map((slot) => {
            const d = this.ctx.drives[slot];
            return d ? d.apply({ op: 'putPart', uploadId, part, stagedFile: join(staging.dirs[slot]!, 'part') }) : Promise.resolve<OpResult>({ ok: false, kind: 'offline', message: `slot ${slot} went offline` });
          }));
          const failed = results.find((r) => !r.ok);
          if (failed && !failed.ok) throw new GranaryError('InternalError', `heal of part ${part.number} of upload ${uploadId}: ${failed.message}`);
        } finally {
          await staging.cleanup();
        }
      });
    }
    return { rows, parts: missing };
  }

  /**
   * Every frame (hash, shard) of `targets`' shards of one part, rebuilt from
   * the verified shards of the others, handed to `sink` in order. The shard
   * is a view the next block overwrites: the sink copies what it keeps.
   */
  private async rebuildPart(bucket: string, key: string, resolved: Resolved, part: PartRecord, targets: number[], sink: (slot: number, frame: Uint8Array[]) => Promise<void>): Promise<void> {
    const dist = resolved.record.erasure.distribution;
    const decoder = this.decoderFor(bucket, key, resolved, part, () => undefined, true);
    const layout = new PartLayout(part.size, resolved.record.erasure.blockSize, this.ctx.k);
    try {
      for (let i = 0; i < layout.blocks; i++) {
        const shards = await decoder.readBlock(i, targets.map((slot) => dist[slot]));
        await Promise.all(targets.map((slot) => {
          const shard = shards[dist[slot]]!;
          return sink(slot, [blockHash(shard), shard]);
        }));
      }
    } finally {
      await decoder.close();
    }
  }

  private decoderFor(bucket: string, key: string, resolved: Resolved, part: PartRecord, onBad: (b: BadShard) => void, reuse = false): PartDecoder {
    const layout = new PartLayout(part.size, resolved.record.erasure.blockSize, this.ctx.k);
    return new PartDecoder(this.ctx, resolved.record.erasure.distribution, layout, this.shardSource(bucket, key, resolved, part), resolved.holders, onBad, reuse);
  }

  // ---- multipart ------------------------------------------------------------

  async newUpload(bucket: string, key: string, metadata: Record<string, string>, checksumAlgorithm?: string, tags?: Record<string, string>): Promise<UploadRecord> {
    const upload: UploadRecord = {
      uploadId: newUploadId(),
      bucket,
      key,
      initiated: Date.now(),
      metadata,
      ...(checksumAlgorithm ? { checksumAlgorithm } : {}),
      ...(tags && Object.keys(tags).length ? { tags } : {}),
      erasure: this.erasureInfo(distributionFor(bucket, key, this.n)),
      dataDir: newDataDir(),
    };
    const results = await this.applyAll(() => ({ op: 'putUpload', upload }));
    this.requireQuorum(results, 'creating the upload');
    return upload;
  }

  /**
   * The upload as a read quorum of drives know it, or NoSuchUpload. Asked of
   * the drives' reader threads (askDrives): a lagging drive is left out once
   * k others hold the upload, and then takes no part in what follows.
   */
  async upload(bucket: string, key: string, uploadId: string): Promise<{ upload: UploadRecord; holders: boolean[] }> {
    const holds = (a: UploadRecord | undefined | null) => !!a && a.bucket === bucket && a.key === key;
    const answers = await askDrives(this.ctx.drives, (d) => d.uploadOffThread(uploadId), (so) => so.filter(holds).length >= this.ctx.k);
    const holders = answers.map(holds);
    const upload = answers.find((a, i) => holders[i] && a) as UploadRecord | undefined;
    if (!upload || holders.filter(Boolean).length < this.ctx.k) throw new GranaryError('NoSuchUpload');
    return { upload, holders };
  }

  async putPart(bucket: string, key: string, uploadId: string, partNumber: number, input: PutInput): Promise<PartUploadRecord> {
    this.assertSpace();
    const { upload, holders } = await this.upload(bucket, key, uploadId);
    const staging = this.newStaging();
    try {
      const encoded = await encodePart(this.ctx, upload.erasure.distribution, input.body, {
        expectedSize: input.size,
        maxSize: input.maxSize,
        inlineLimit: 0,
        openFiles: () => staging.open('part', holders.map((h, slot) => (h ? slot : -1)).filter((s) => s >= 0)),
      });
      const part: PartUploadRecord = {
        number: partNumber,
        size: encoded.size,
        etag: encoded.md5.toString('hex'),
        mtime: Date.now(),
        ...(checksumsOf(input) ? { checksums: checksumsOf(input) } : {}),
      };
      await this.lock.run(`${uploadId}\0${partNumber}`, async () => {
        const results = await this.applyEach((slot) =>
          encoded.slotFailed[slot] || !holders[slot] ? null : { op: 'putPart', uploadId, part, stagedFile: join(staging.dirs[slot]!, 'part') },
        );
        this.requireQuorum(results, `storing part ${partNumber}`);
      });
      return part;
    } finally {
      await staging.cleanup();
    }
  }

  /**
   * Each part number's record as a read quorum agrees on it, with the slots
   * that hold exactly that record. Asked of the drives' reader threads; a
   * lagging drive is left out once a write quorum of others has answered.
   */
  async parts(uploadId: string): Promise<Map<number, { part: PartUploadRecord; holders: boolean[] }>> {
    const bySlot = await askDrives(this.ctx.drives, (d) => d.partsOffThread(uploadId), (so) => so.filter((a) => a !== null).length >= this.writeQuorum);
    const votes = new Map<string, { part: PartUploadRecord; holders: boolean[]; count: number }>();
    bySlot.forEach((parts, slot) => {
      for (const p of parts ?? []) {
        const id = `${p.number}\0${p.etag}\0${p.mtime}\0${p.size}`;
        let v = votes.get(id);
        if (!v) votes.set(id, (v = { part: p, holders: new Array(this.n).fill(false), count: 0 }));
        v.holders[slot] = true;
        v.count++;
      }
    });
    const out = new Map<number, { part: PartUploadRecord; holders: boolean[] }>();
    for (const v of votes.values()) {
      if (v.count < this.ctx.k) continue;
      const have = out.get(v.part.number);
      if (!have || v.part.mtime > have.part.mtime) out.set(v.part.number, { part: v.part, holders: v.holders });
    }
    return out;
  }

  async completeUpload(bucket: string, key: string, uploadId: string, record: Omit<VersionRecord, 'versionId' | 'mtime' | 'erasure' | 'dataDir'>, slotsOk: boolean[]): Promise<VersionRecord> {
    const { upload } = await this.upload(bucket, key, uploadId);
    const full: VersionRecord = { ...record, ...(upload.tags ? { tags: upload.tags } : {}), versionId: randomUUID(), mtime: Date.now(), erasure: upload.erasure, dataDir: upload.dataDir };
    await this.commitVersion(bucket, key, full, (slot) => (slotsOk[slot] ? { op: 'completeUpload', bucket, key, uploadId, record: full } : null));
    return full;
  }

  async abortUpload(bucket: string, key: string, uploadId: string): Promise<void> {
    await this.upload(bucket, key, uploadId);
    const results = await this.applyAll(() => ({ op: 'abortUpload', uploadId }));
    this.requireQuorum(results, 'aborting the upload');
  }

  /**
   * Uploads after (keyMarker, uploadIdMarker) that k drives hold, ordered by
   * key then upload id, read on the drives' reader threads; a lagging drive
   * is left out once a list quorum of others has answered.
   */
  async uploadsAfter(bucket: string, keyMarker: string, uploadIdMarker: string, limit: number): Promise<UploadRecord[]> {
    const answered = (lists: readonly unknown[]) => lists.filter((l) => l !== null).length;
    const lists = await askDrives(this.ctx.drives, (d) => d.uploadsAfterOffThread(bucket, keyMarker, uploadIdMarker, limit), (answers) => answered(answers) >= this.listQuorum);
    if (answered(lists) < this.listQuorum) {
      throw new GranaryError('XGranaryReadQuorum', `listing uploads of ${bucket}: too few drives of set ${this.ctx.index} answer to list every upload`);
    }
    const counts = new Map<string, { u: UploadRecord; count: number }>();
    for (const list of lists) {
      for (const u of list ?? []) {
        const c = counts.get(u.uploadId);
        if (c) c.count++;
        else counts.set(u.uploadId, { u, count: 1 });
      }
    }
    return [...counts.values()]
      .filter((c) => c.count >= this.ctx.k)
      .map((c) => c.u)
      .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : a.uploadId < b.uploadId ? -1 : a.uploadId > b.uploadId ? 1 : 0))
      .slice(0, limit);
  }

  /** Every bucket name any drive of the set knows, with its earliest creation time, read on the reader threads. */
  async bucketRows(): Promise<Map<string, number>> {
    const buckets = new Map<string, number>();
    for (const rows of await askDrives(this.ctx.drives, (d) => d.bucketsOffThread(), () => false)) {
      for (const r of rows ?? []) buckets.set(r.name, Math.min(buckets.get(r.name) ?? r.created, r.created));
    }
    return buckets;
  }

  /** A drive about to join the set (a replacement, or one back after start) gets every bucket row the set's drives know. */
  async giveBuckets(drive: LocalDrive): Promise<void> {
    for (const [bucket, created] of await this.bucketRows()) await drive.apply({ op: 'makeBucket', bucket, created });
  }

  /** Refuses a write before its body is read when too few drives have room for it (reads go on). */
  private assertSpace(): void {
    const room = this.ctx.drives.filter((d) => d && d.health.online && !d.health.full).length;
    const full = this.ctx.drives.some((d) => d?.health.full);
    if (room < this.writeQuorum && full) {
      throw new GranaryError('XGranaryStorageFull', `only ${room} drives of set ${this.ctx.index} have free space, ${this.writeQuorum} needed`);
    }
  }

  // ---- commit machinery -----------------------------------------------------

  private commitVersion(bucket: string, key: string, record: VersionRecord, opFor: (slot: number) => MetaOp | null): Promise<void> {
    return this.lock.run(lockName(bucket, key), () => this.commitLocked(bucket, key, record, opFor));
  }

  /**
   * Commits on every drive; below write quorum, the drives that did commit
   * revert to the version they had. Above it, older versions are dropped in
   * the drives' next group commit (not awaited: a lost finalize only leaves a
   * superseded row the next write or the scanner drops).
   */
  private async commitLocked(bucket: string, key: string, record: VersionRecord, opFor: (slot: number) => MetaOp | null): Promise<void> {
    const pending = this.startEach(opFor);
    const early = await firstQuorum(pending, this.writeQuorum);
    const finalize = (slots: boolean[]) => this.applyEach((slot) => (slots[slot] ? { op: 'finalize', bucket, key, versionId: record.versionId } : null));
    if (early) {
      // Acknowledged once a write quorum has it fsynced; the slower drives finish in the
      // background (their writer queues keep the order of later writes to this key).
      void Promise.all(pending).then((results) => {
        const okSlots = results.map((r) => r !== null && r.ok);
        const missed = okSlots.findIndex((ok, slot) => !ok && this.ctx.drives[slot] !== null);
        if (missed >= 0) this.onBadShard(bucket, key, { slot: missed, reason: 'missing' });
        if (results.some((r) => r?.ok && r.superseded)) void finalize(okSlots);
      });
      return;
    }
    const results = await Promise.all(pending);
    const okSlots = results.map((r) => r !== null && r.ok);
    if (okSlots.filter(Boolean).length < this.writeQuorum) {
      await this.applyEach((slot) => (okSlots[slot] ? { op: 'revert', bucket, key, versionId: record.versionId } : null));
      throw quorumError(results, this.writeQuorum, `${bucket}/${key}`);
    }
    if (results.some((r) => r?.ok && r.superseded)) void finalize(okSlots);
  }

  private applyAll(op: () => MetaOp): Promise<(OpResult | null)[]> {
    return this.applyEach(() => op());
  }

  /** The op for each slot (null: skip); null results where skipped or offline. */
  private applyEach(opFor: (slot: number) => MetaOp | null): Promise<(OpResult | null)[]> {
    return Promise.all(this.startEach(opFor));
  }

  private startEach(opFor: (slot: number) => MetaOp | null): Promise<OpResult | null>[] {
    return this.ctx.drives.map((d, slot) => {
      const op = opFor(slot);
      if (!d || !op) return Promise.resolve(null);
      return d.apply(op);
    });
  }

  private requireQuorum(results: (OpResult | null)[], what: string): void {
    if (results.filter((r) => r?.ok).length < this.writeQuorum) throw quorumError(results, this.writeQuorum, what);
  }

  private erasureInfo(distribution: number[]): VersionRecord['erasure'] {
    return { dataShards: this.ctx.k, parityShards: this.ctx.m, blockSize: this.ctx.blockSize, distribution, hash: HASH_ALGORITHM };
  }

  /** Staging folders created on first use, removed at the end whatever happened (renamed ones are already gone). */
  private newStaging() {
    const dirs: (string | null)[] = new Array(this.n).fill(null);
    // One folder per drive even when files are opened concurrently.
    const making: (Promise<string> | null)[] = new Array(this.n).fill(null);
    const drives = this.ctx.drives;
    return {
      dirs,
      open: async (file: string, slots?: number[]): Promise<(ShardFileWriter | null)[]> =>
        Promise.all(
          drives.map(async (d, slot) => {
            if (!d || (slots && !slots.includes(slot))) return null;
            try {
              dirs[slot] = await (making[slot] ??= d.newStagingDir());
              return await d.createShardFile(join(dirs[slot]!, file));
            } catch {
              return null;
            }
          }),
        ),
      cleanup: async () => {
        await Promise.all(dirs.map((dir, slot) => (dir ? drives[slot]?.removeStaging(dir) : undefined)));
      },
    };
  }
}

/**
 * True as soon as `need` of the results are ok; false once that can no longer
 * happen (the caller then waits for every result and reverts).
 */
function firstQuorum(results: Promise<OpResult | null>[], need: number): Promise<boolean> {
  return new Promise((resolve) => {
    let ok = 0;
    let failed = 0;
    for (const p of results) {
      void p.then((r) => {
        if (r?.ok) ok++;
        else failed++;
        if (ok === need) resolve(true);
        else if (results.length - failed < need) resolve(false);
      });
    }
  });
}

function quorumError(results: (OpResult | null)[], need: number, what: string): GranaryError {
  const full = results.some((r) => r && !r.ok && r.kind === 'full');
  const ok = results.filter((r) => r?.ok).length;
  return new GranaryError(full ? 'XGranaryStorageFull' : 'XGranaryWriteQuorum', `${what}: ${ok} drives committed, ${need} needed`);
}

function slotsOf(flags: boolean[]): number[] {
  return flags.flatMap((f, slot) => (f ? [slot] : []));
}

function lockName(bucket: string, key: string): string {
  return `${bucket}\0${key}`;
}

function newDataDir(): string {
  return randomUUID().replaceAll('-', '');
}

/** Upload ids sort by creation time, as S3 lists uploads of one key. */
function newUploadId(): string {
  return `${Date.now().toString(36).padStart(9, '0')}${createHash('sha256').update(randomUUID()).digest('hex').slice(0, 23)}`;
}

/** The bytes [lo, hi] of a block whose k data shards hold it in order, without copying. */
function* sliceShards(shards: (Uint8Array | null)[], shardLen: number, lo: number, hi: number): Generator<Uint8Array> {
  for (let s = Math.floor(lo / shardLen); s * shardLen <= hi; s++) {
    const a = Math.max(lo, s * shardLen) - s * shardLen;
    const b = Math.min(hi, (s + 1) * shardLen - 1) - s * shardLen;
    yield shards[s]!.subarray(a, b + 1);
  }
}
