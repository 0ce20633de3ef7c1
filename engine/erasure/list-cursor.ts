import { GranaryError } from '../common/errors.js';
import { compareKeys } from '../common/key-order.js';
import type { ListRow } from '../drive/records.js';
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

interface SlotBuffer {
  rows: ListRow[];
  pos: number;
  /** The drive has nothing after `rows`. */
  done: boolean;
  /** Next query starts here (inclusive). */
  from: string;
  /** The drive did not answer: it counts as unknown, not as empty. */
  offline: boolean;
  /** Rows the next query asks for. */
  want: number;
}

/**
 * The first query of a delimiter listing's scan, and the first after a seek,
 * asks for this many rows; each refill doubles it up to the cursor's batch.
 * A delimiter listing seeks past every common prefix and usually needs one
 * row before the next seek, so a full batch there read hundreds of rows to
 * use one.
 */
export const SEEKING_FIRST_BATCH = 2;

/**
 * Walks one set's keys in order by merging a range scan of every drive's
 * narrow `objects` index, read on the drives' reader threads (a disk that
 * hangs holds this listing, not the engine). A key is listed when k drives
 * agree on its current version, as a read would resolve it; `seek` jumps
 * the scans forward, which is how a delimiter skips a whole common prefix
 * with one query per drive.
 */
export class SetListCursor {
  private readonly slots: SlotBuffer[];
  /**
   * Drives that must answer for the listing to be whole: a committed key is
   * on at least a write quorum of drives, so with fewer than n - writeQuorum
   * + 1 answering, one could be on none of them and silently missing.
   */
  private readonly needed: number;

  /**
   * `firstBatch`: rows the first query (and the first after each seek) asks
   * of a drive. A listing that never seeks asks for its whole batch at
   * once, since each refill costs a round trip to the reader threads.
   */
  constructor(private readonly set: ErasureSet, private readonly bucket: string, from: string, private readonly to: string | null, private readonly batch = 256, private readonly firstBatch = batch) {
    this.needed = Math.max(set.ctx.k, set.drives.length - set.writeQuorum + 1);
    this.slots = set.drives.map((d) => ({ rows: [], pos: 0, done: false, from, offline: !d, want: Math.min(firstBatch, batch) }));
  }

  /** The next key any drive has, or null at the end. */
  async peek(): Promise<string | null> {
    if (this.slots.some(needsRows)) await this.refill();
    let min: string | null = null;
    for (const slot of this.slots) {
      if (slot.pos < slot.rows.length && (min === null || compareKeys(slot.rows[slot.pos].key, min) < 0)) min = slot.rows[slot.pos].key;
    }
    return min;
  }

  /** Consumes the key at `peek()`; its listing entry, or null when it is deleted or not on a quorum. */
  async take(): Promise<ListedObject | null> {
    const key = await this.peek();
    if (key === null) return null;
    const rows: ListRow[] = [];
    for (const slot of this.slots) {
      if (slot.pos < slot.rows.length && slot.rows[slot.pos].key === key) {
        rows.push(slot.rows[slot.pos]);
        slot.pos++;
      }
    }
    return this.resolve(key, rows);
  }

  /** Positions every scan at the first key >= `key`. */
  seek(key: string): void {
    for (const slot of this.slots) {
      while (slot.pos < slot.rows.length && compareKeys(slot.rows[slot.pos].key, key) < 0) slot.pos++;
      if (slot.pos === slot.rows.length && compareKeys(slot.from, key) < 0) {
        slot.from = key;
        slot.rows = [];
        slot.pos = 0;
        slot.want = Math.min(this.firstBatch, this.batch);
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
    const answered = (answers: readonly (ListRow[] | null)[]) => this.slots.filter((slot, s) => !slot.offline && (!asked[s] || answers[s] !== null)).length;
    const answers = await askDrives(
      this.set.drives.map((d, s) => (asked[s] ? d : null)),
      (d) => {
        const slot = this.slots[this.set.drives.indexOf(d)];
        return d.listRowsOffThread(this.bucket, slot.from, this.to, slot.want);
      },
      (answers) => answered(answers) >= this.needed,
    );
    this.slots.forEach((slot, s) => {
      if (!asked[s]) return;
      const rows = answers[s];
      if (!rows) {
        slot.offline = true;
        return;
      }
      slot.rows = rows;
      slot.pos = 0;
      if (rows.length < slot.want) slot.done = true;
      slot.want = Math.min(slot.want * 2, this.batch);
      // The smallest key after the last one: the key followed by U+0000.
      if (rows.length > 0) slot.from = rows[rows.length - 1].key + '\u0000';
    });
    if (this.slots.filter((x) => !x.offline).length < this.needed) {
      throw new GranaryError('XGranaryReadQuorum', `listing ${this.bucket}: too few drives of set ${this.set.ctx.index} answer to list every key`);
    }
  }

  private async resolve(key: string, rows: ListRow[]): Promise<ListedObject | null> {
    const k = this.set.ctx.k;
    const groups = new Map<string, { row: ListRow; count: number }>();
    for (const r of rows) {
      const g = groups.get(r.versionId);
      if (g) g.count++;
      else groups.set(r.versionId, { row: r, count: 1 });
    }
    let best: ListRow | null = null;
    for (const g of groups.values()) {
      if (g.count >= k && (!best || newer(g.row, best) > 0)) best = g.row;
    }
    if (best) return best.deleted ? null : { key, versionId: best.versionId, mtime: best.mtime, size: best.size, etag: best.etag };
    // Drives disagree (a write or delete in flight, or one that failed): decide as a read would.
    try {
      const { record } = await this.set.resolveOffThread(this.bucket, key);
      return { key, versionId: record.versionId, mtime: record.mtime, size: record.size, etag: record.etag };
    } catch {
      return null;
    }
  }
}

function needsRows(slot: SlotBuffer): boolean {
  return slot.pos === slot.rows.length && !slot.done && !slot.offline;
}
