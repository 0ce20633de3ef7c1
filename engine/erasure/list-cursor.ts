import { GranaryError } from '../common/errors.js';
import { compareKeys } from '../common/key-order.js';
import type { ListRow } from '../drive/records.js';
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
 * The first query of a scan, and the first after a seek, asks for this many
 * rows; each refill doubles it up to the cursor's batch. A delimiter listing
 * seeks past every common prefix and usually needs one row before the next
 * seek, so a full batch there read hundreds of rows to use one.
 */
const FIRST_BATCH = 2;

/**
 * Walks one set's keys in order by merging a range scan of every drive's
 * narrow `objects` index. A key is listed when k drives agree on its current
 * version, as a read would resolve it; `seek` jumps the scans forward, which
 * is how a delimiter skips a whole common prefix with one query per drive.
 */
export class SetListCursor {
  private readonly slots: SlotBuffer[];
  /**
   * Drives that must answer for the listing to be whole: a committed key is
   * on at least a write quorum of drives, so with fewer than n - writeQuorum
   * + 1 answering, one could be on none of them and silently missing.
   */
  private readonly needed: number;

  constructor(private readonly set: ErasureSet, private readonly bucket: string, from: string, private readonly to: string | null, private readonly batch = 256) {
    this.needed = Math.max(set.ctx.k, set.drives.length - set.writeQuorum + 1);
    // A lagging drive (an operation long unanswered: its disk may hang) would hold the engine on these synchronous
    // queries: it is left out, as one that does not answer, when enough others are there to list without it.
    const lagging = set.laggingSlots();
    const others = set.drives.filter((d, s) => d && d.health.online && !lagging[s]).length;
    const skip = lagging.includes(true) && others >= this.needed;
    this.slots = set.drives.map((_, s) => ({ rows: [], pos: 0, done: false, from, offline: skip && lagging[s], want: Math.min(FIRST_BATCH, batch) }));
  }

  /** The next key any drive has, or null at the end. */
  peek(): string | null {
    let min: string | null = null;
    for (let s = 0; s < this.slots.length; s++) {
      const head = this.head(s);
      if (head && (min === null || compareKeys(head.key, min) < 0)) min = head.key;
    }
    return min;
  }

  /** Consumes the key at `peek()`; its listing entry, or null when it is deleted or not on a quorum. */
  take(): ListedObject | null {
    const key = this.peek();
    if (key === null) return null;
    const rows: ListRow[] = [];
    for (let s = 0; s < this.slots.length; s++) {
      const head = this.head(s);
      if (head && head.key === key) {
        rows.push(head);
        this.slots[s].pos++;
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
        slot.want = Math.min(FIRST_BATCH, this.batch);
      }
    }
  }

  private head(s: number): ListRow | null {
    const slot = this.slots[s];
    if (slot.pos < slot.rows.length) return slot.rows[slot.pos];
    if (slot.done || slot.offline) return null;
    const drive = this.set.drives[s];
    let rows: ListRow[] | null = null;
    try {
      if (drive) rows = drive.listRows(this.bucket, slot.from, this.to, slot.want);
    } catch {
      // Not answering: counted below.
    }
    if (!rows) {
      slot.offline = true;
      if (this.slots.filter((x) => !x.offline).length < this.needed) {
        throw new GranaryError('XGranaryReadQuorum', `listing ${this.bucket}: too few drives of set ${this.set.ctx.index} answer to list every key`);
      }
      return null;
    }
    slot.rows = rows;
    slot.pos = 0;
    if (slot.rows.length < slot.want) slot.done = true;
    slot.want = Math.min(slot.want * 2, this.batch);
    if (slot.rows.length === 0) return null;
    // The smallest key after the last one: the key followed by U+0000.
    slot.from = slot.rows[slot.rows.length - 1].key + '\u0000';
    return slot.rows[0];
  }

  private resolve(key: string, rows: ListRow[]): ListedObject | null {
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
      const { record } = this.set.resolve(this.bucket, key);
      return { key, versionId: record.versionId, mtime: record.mtime, size: record.size, etag: record.etag };
    } catch {
      return null;
    }
  }
}
