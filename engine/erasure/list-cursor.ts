import { GranaryError } from '../common/errors.js';
import { compareKeys } from '../common/key-order.js';
import type { CommonPrefixes } from '../drive/list-scan.js';
import { ListRows } from '../drive/list-rows.js';
import { askDrives } from './ask-drives.js';
import type { ErasureSet } from './erasure-set.js';
import { newer } from './resolve-version.js';

export interface ListedObject {
  key: string;
  versionId: string;
  mtime: number;
  size: number;
  etag: string;
}

/** One drive's row in a page. */
interface RowAt { rows: ListRows; i: number }

const NO_ROWS = new ListRows('');

interface SlotBuffer {
  rows: ListRows;
  pos: number;
  /** Next query starts here (inclusive); null: the drive has nothing after `rows`. */
  from: string | null;
  /** The drive did not answer: it counts as unknown, not as empty. */
  offline: boolean;
  /**
   * The end of the keys this drive's scan passed over after the last row
   * taken from it (a row's `skipTo`; null: to the end): of a key below it,
   * the drive's row is unknown, not absent.
   */
  skippedTo?: string | null;
}

/**
 * Walks one set's keys in order by merging a range scan of every drive's
 * narrow `objects` index, read on the drives' reader threads, all drives at
 * once (a disk that hangs holds this listing, not the engine). A key is
 * listed when k drives agree on its current version, as a read would
 * resolve it. With `common` (a delimiter listing), each drive's scan stops
 * in every common prefix at its first live row and goes on after the
 * prefix, so listing a thousand folders is one round trip, not a thousand;
 * `seek` then passes over the rest of a prefix.
 */
export class SetListCursor {
  private readonly slots: SlotBuffer[];

  constructor(
    private readonly set: ErasureSet,
    private readonly bucket: string,
    from: string,
    private readonly to: string | null,
    private readonly batch = 256,
    private readonly common?: CommonPrefixes,
  ) {
    this.slots = set.drives.map((d) => ({ rows: NO_ROWS, pos: 0, from, offline: !d }));
  }

  /** The next key any drive has, or null at the end. */
  async peek(): Promise<string | null> {
    if (this.slots.some(needsRows)) await this.refill();
    let min: string | null = null;
    for (const slot of this.slots) {
      if (slot.pos < slot.rows.length && (min === null || compareKeys(slot.rows.key(slot.pos), min) < 0)) min = slot.rows.key(slot.pos);
    }
    return min;
  }

  /** Consumes the key at `peek()`; its listing entry, or null when it is deleted or not on a quorum. */
  async take(): Promise<ListedObject | null> {
    const key = await this.peek();
    if (key === null) return null;
    const rows: RowAt[] = [];
    let unknown = false;
    for (const slot of this.slots) {
      if (slot.pos < slot.rows.length && slot.rows.key(slot.pos) === key) {
        rows.push({ rows: slot.rows, i: slot.pos });
        passed(slot);
      } else if (!slot.offline && slot.skippedTo !== undefined && (slot.skippedTo === null || compareKeys(key, slot.skippedTo) < 0)) {
        unknown = true;
      }
    }
    return this.resolve(key, rows, unknown);
  }

  /** Positions every scan at the first key >= `key`. */
  seek(key: string): void {
    for (const slot of this.slots) {
      while (slot.pos < slot.rows.length && compareKeys(slot.rows.key(slot.pos), key) < 0) passed(slot);
      if (slot.pos === slot.rows.length && slot.from !== null && compareKeys(slot.from, key) < 0) {
        slot.from = key;
        slot.rows = NO_ROWS;
        slot.pos = 0;
      }
    }
  }

  /**
   * Reads the next rows of every scan that has used up its own, from all
   * those drives at once. A drive that does not answer (failed, offline, or
   * lagging while the others answer enough) is left out of the rest of the
   * listing, counted as unknown rather than empty.
   */
  private async refill(): Promise<void> {
    const asked = this.slots.map(needsRows);
    const answered = (answers: readonly unknown[]) => this.slots.filter((slot, s) => !slot.offline && (!asked[s] || answers[s] !== null)).length;
    const answers = await askDrives(
      this.set.drives.map((d, s) => (asked[s] ? d : null)),
      (d, s) => d.listRowsOffThread(this.bucket, this.slots[s].from!, this.to, this.batch, this.common),
      (answers) => answered(answers) >= this.set.listQuorum,
    );
    this.slots.forEach((slot, s) => {
      if (!asked[s]) return;
      const answer = answers[s];
      if (!answer) {
        slot.offline = true;
        return;
      }
      slot.rows = answer.rows;
      slot.pos = 0;
      slot.from = answer.next;
    });
    if (this.slots.filter((x) => !x.offline).length < this.set.listQuorum) {
      throw new GranaryError('XGranaryReadQuorum', `listing ${this.bucket}: too few drives of set ${this.set.ctx.index} answer to list every key`);
    }
  }

  /** `unknown`: a drive's scan passed over this key, so its row is missing from `rows` without being absent. */
  private async resolve(key: string, rows: RowAt[], unknown: boolean): Promise<ListedObject | null> {
    const k = this.set.ctx.k;
    const groups = new Map<string, { at: RowAt; count: number }>();
    for (const at of rows) {
      const id = at.rows.versionId(at.i);
      const g = groups.get(id);
      if (g) g.count++;
      else groups.set(id, { at, count: 1 });
    }
    let best: { at: RowAt; mtime: number; versionId: string } | null = null;
    for (const [versionId, g] of groups) {
      if (g.count < k) continue;
      const candidate = { at: g.at, mtime: g.at.rows.mtime(g.at.i), versionId };
      if (!best || newer(candidate, best) > 0) best = candidate;
    }
    if (best && !unknown) {
      const { rows: r, i } = best.at;
      return r.deleted(i) ? null : { key, versionId: best.versionId, mtime: best.mtime, size: r.size(i), etag: r.etag(i) };
    }
    // Drives disagree (a write or delete in flight, or one that failed), or one's row was passed over: decide as a read would.
    try {
      const { record } = await this.set.resolveOffThread(this.bucket, key);
      return { key, versionId: record.versionId, mtime: record.mtime, size: record.size, etag: record.etag };
    } catch {
      return null;
    }
  }
}

function needsRows(slot: SlotBuffer): boolean {
  return slot.pos === slot.rows.length && slot.from !== null && !slot.offline;
}

/** Moves a scan past its current row, noting what the drive passed over after it. */
function passed(slot: SlotBuffer): void {
  const skipTo = slot.rows.skipTo(slot.pos++);
  if (skipTo !== undefined) slot.skippedTo = skipTo;
}
