import { prefixUpperBound } from '../common/key-order.js';
import { isGranaryError } from '../common/errors.js';
import type { LocalDrive } from '../drive/local-drive.js';
import type { ErasureSet, HealReport } from '../erasure/erasure-set.js';
import { SetListCursor } from '../erasure/list-cursor.js';
import type { HealCounts, SweepStatus } from './heal-types.js';
import { collectOrphans } from './orphans.js';
import { Pacer } from './pacer.js';

export interface SweepControl {
  /** The sets to walk, with their index in the deployment. */
  sets: { index: number; set: ErasureSet }[];
  /** Collect orphans and staging leftovers too (whole-deployment sweeps only). */
  collect: boolean;
  graceMs: number;
  aborted: () => boolean;
  /**
   * Objects healed at once. A rebuild runs several so that one object's
   * fsyncs and reads overlap another's decoding; the scanner runs one.
   */
  concurrency?: number;
  /** Called after every object; the caller decides how often to tell anyone. */
  progress: () => void;
  /** A rebuild's drive: an object it did not answer for is an error (it may not have been rebuilt there), not a count. */
  rebuilding?: LocalDrive;
  /** A shard was found missing, short or corrupt (not a missing row). */
  bitrot: (bucket: string, key: string, drive: string, reason: 'missing' | 'truncated' | 'corrupt', repaired: boolean) => void;
}

/** The longest a heal waits for client requests to finish before its next object: under constant load it still moves. */
const FOREGROUND_WAIT_MS = 50;

/** Buckets any drive of the set knows (the engine's own system bucket included: it is healed like the rest). */
async function bucketsOf(set: ErasureSet, only?: string): Promise<string[]> {
  if (only !== undefined) return [only];
  return [...(await set.bucketRows()).keys()].sort();
}

/** Every key any drive of the set has under the prefix, in order, with its listed size (0 when not on a quorum). */
async function* keysOf(set: ErasureSet, bucket: string, prefix: string): AsyncGenerator<{ key: string; size: number }> {
  const cursor = new SetListCursor(set, bucket, prefix, prefix === '' ? null : prefixUpperBound(prefix));
  for (let key = await cursor.peek(); key !== null; key = await cursor.peek()) {
    const listed = await cursor.take();
    yield { key, size: listed?.size ?? 0 };
  }
}

/**
 * One pass: counts what there is (for progress), then heals object by
 * object at the sweep's pace, then (whole sweeps) collects orphans. The
 * status object is updated in place; the caller owns its life cycle.
 */
export async function runSweep(status: SweepStatus, ctl: SweepControl): Promise<void> {
  const { options } = status;
  const prefix = options.prefix ?? '';
  const started = Date.now();
  for (const { set } of ctl.sets) {
    for (const bucket of await bucketsOf(set, options.bucket)) {
      for await (const { size } of keysOf(set, bucket, prefix)) {
        status.objectsTotal++;
        status.bytesTotal += size;
      }
    }
  }
  ctl.progress();

  const pacer = new Pacer(options.pace, options.ioBytesPerSecond ?? 0);
  const add = (c: HealCounts, kind: keyof HealCounts, n = 1) => { c[kind] += n; };
  /** Bytes an object's check and repair read and wrote: every shard for a deep check, k to rebuild plus those rebuilt. */
  const bytesMoved = (set: ErasureSet, report: HealReport) => {
    const shard = report.size / set.ctx.k;
    const rebuilt = report.healed.length > 0 && !options.dryRun ? set.ctx.k + report.healed.length : 0;
    return Math.ceil(shard * ((options.deep ? set.n : 0) + rebuilt));
  };
  const healOne = async (set: ErasureSet, bucket: string, key: string): Promise<number> => {
    let moved = 0;
    try {
      const report = await set.healObject(bucket, key, { deep: options.deep, dryRun: options.dryRun });
      add(status.found, 'objects');
      if (!options.dryRun) add(status.fixed, 'objects');
      for (const h of report.healed) {
        add(status.found, h.reason);
        if (!options.dryRun) add(status.fixed, h.reason);
        if (h.reason !== 'metadata') ctl.bitrot(bucket, key, set.drives[h.slot]?.root ?? `slot ${h.slot}`, h.reason, !options.dryRun);
      }
      add(status.found, 'dangling', report.dangling.length);
      add(status.found, 'stale', report.stale.length);
      add(status.found, 'diverged', report.diverged.length);
      add(status.found, 'unanswered', report.unanswered.length);
      if (ctl.rebuilding && report.unanswered.some((slot) => set.drives[slot] === ctl.rebuilding)) {
        status.errors++;
        status.lastError = `${bucket}/${key}: drive ${ctl.rebuilding.root} did not answer`;
      }
      if (!options.dryRun) {
        add(status.fixed, 'dangling', report.dangling.length);
        add(status.fixed, 'stale', report.stale.length);
        add(status.fixed, 'diverged', report.diverged.length);
      }
      status.bytesDone += report.size;
      moved = bytesMoved(set, report);
    } catch (err) {
      status.errors++;
      status.lastError = `${bucket}/${key}: ${(err as Error).message}`;
    }
    status.objectsDone++;
    updateRate(status, started);
    ctl.progress();
    return moved;
  };
  for (const { set } of ctl.sets) {
    for (const bucket of await bucketsOf(set, options.bucket)) {
      // Workers take the next key from one ordered walk; each object is locked on its own, so they never meet.
      const keys = keysOf(set, bucket, prefix);
      const worker = async () => {
        for (let next = await keys.next(); !next.done; next = await keys.next()) {
          if (ctl.aborted()) return;
          await set.foreground.idle(FOREGROUND_WAIT_MS);
          await pacer.tick(await healOne(set, bucket, next.value.key));
        }
      };
      await Promise.all(Array.from({ length: Math.max(1, ctl.concurrency ?? 1) }, worker));
      if (ctl.aborted()) return;
      await healUploads(set, bucket, prefix, options.dryRun, ctl, {
        healed: (n) => {
          add(status.found, 'uploads', n);
          if (!options.dryRun) add(status.fixed, 'uploads', n);
        },
        failed: (message) => {
          status.errors++;
          status.lastError = message;
        },
      });
    }
  }

  if (ctl.collect) {
    for (const { set } of ctl.sets) {
      for (const d of set.drives) {
        if (!d || ctl.aborted()) continue;
        try {
          const r = await collectOrphans(d, ctl.graceMs, options.dryRun);
          add(status.found, 'orphans', r.orphans.length);
          add(status.found, 'staging', r.staging.length);
          if (!options.dryRun) {
            add(status.fixed, 'orphans', r.orphans.length);
            add(status.fixed, 'staging', r.staging.length);
          }
        } catch (err) {
          status.errors++;
          status.lastError = `collecting orphans on ${d.root}: ${(err as Error).message}`;
        }
      }
    }
  }
}

/** Unfinished multipart uploads of one bucket, page by page: each gets its missing rows and part shards back. */
async function healUploads(set: ErasureSet, bucket: string, prefix: string, dryRun: boolean, ctl: SweepControl, report: { healed: (n: number) => void; failed: (message: string) => void }): Promise<void> {
  const PAGE = 100;
  let key = '';
  let id = '';
  for (;;) {
    const page = await set.uploadsAfter(bucket, key, id, PAGE);
    for (const u of page) {
      if (ctl.aborted()) return;
      if (!u.key.startsWith(prefix)) continue;
      await set.foreground.idle(FOREGROUND_WAIT_MS);
      try {
        const r = await set.healUpload(bucket, u.key, u.uploadId, { dryRun });
        report.healed(r.rows.length + r.parts.length);
      } catch (err) {
        // Completed or aborted meanwhile: nothing left to heal.
        if (!isGranaryError(err, 'NoSuchUpload')) report.failed(`upload ${u.uploadId} of ${bucket}/${u.key}: ${(err as Error).message}`);
      }
    }
    if (page.length < PAGE) return;
    ({ key, uploadId: id } = page[page.length - 1]);
  }
}

/** Rate, ETA and a percentage that never goes down, even when writes grow the total. */
function updateRate(status: SweepStatus, started: number): void {
  status.objectsTotal = Math.max(status.objectsTotal, status.objectsDone);
  status.bytesTotal = Math.max(status.bytesTotal, status.bytesDone);
  const seconds = Math.max((Date.now() - started) / 1000, 0.001);
  status.rate = Math.round(status.bytesDone / seconds);
  const byObjects = status.objectsDone / status.objectsTotal;
  const byBytes = status.bytesTotal > 0 ? status.bytesDone / status.bytesTotal : byObjects;
  // Short of 100 until the sweep says it is done.
  const pct = Math.min(99.9, Math.floor(Math.min(byObjects, byBytes) * 1000) / 10);
  status.percent = Math.max(status.percent, pct);
  const objRate = status.objectsDone / seconds;
  status.etaSeconds = objRate > 0 ? Math.round((status.objectsTotal - status.objectsDone) / objRate) : null;
}
