import { GranaryError } from '../common/errors.js';
import type { ShardFileReader } from '../drive/local-drive.js';
import { blockHash, hashEquals, HASH_LEN } from './bitrot.js';
import type { PartLayout } from './layout.js';
import type { SetContext } from './set-context.js';

/** Where one part's shards come from: files opened on demand, or inline frames from the metadata DBs. */
export type ShardSource =
  | { kind: 'file'; open: (slot: number) => Promise<ShardFileReader> }
  | { kind: 'inline'; frames: (Uint8Array | null)[] };

export type BadShard = { slot: number; reason: 'missing' | 'corrupt' };

/**
 * Reads blocks [first, last] of a part and returns, per block, its data
 * shards (k buffers of shardLength(i) bytes). Each frame's hash is checked
 * before use; data shards are read first so a healthy read decodes nothing;
 * a missing or corrupt shard is replaced by the next slot and reported once.
 */
export class PartDecoder {
  private readonly readers = new Map<number, Promise<ShardFileReader>>();
  private readonly bad = new Set<number>();
  private readonly slotOfShard: number[];

  constructor(
    private readonly ctx: SetContext,
    distribution: number[],
    private readonly layout: PartLayout,
    private readonly source: ShardSource,
    /** Slots that hold this version at all. */
    private readonly holders: boolean[],
    private onBad: (bad: BadShard) => void,
  ) {
    this.slotOfShard = [];
    distribution.forEach((shard, slot) => { this.slotOfShard[shard] = slot; });
  }

  /** Shards of block i by shard index; the `want` ones (data shards by default) are always filled. */
  async readBlock(i: number, want: readonly number[] = this.dataShards): Promise<(Uint8Array | null)[]> {
    const { k, m } = this.ctx;
    const len = this.layout.shardLength(i);
    const shards: (Uint8Array | null)[] = new Array(k + m).fill(null);
    let good = 0;
    let next = 0;
    // Data shards first, then parity, skipping slots already known to be bad.
    const order = Array.from({ length: k + m }, (_, s) => s).filter((s) => this.usable(this.slotOfShard[s]));
    while (good < k) {
      const batch = order.slice(next, next + (k - good));
      if (batch.length === 0) {
        throw new GranaryError('XGranaryReadQuorum', `block ${i}: only ${good} of ${k} shards could be read intact`);
      }
      next += batch.length;
      const got = await Promise.all(batch.map((s) => this.readShard(this.slotOfShard[s], i, len)));
      batch.forEach((s, j) => {
        if (got[j]) {
          shards[s] = got[j];
          good++;
        }
      });
    }
    if (want.some((s) => !shards[s])) this.ctx.codec.reconstruct(shards, len, want);
    return shards;
  }

  /** Reads and verifies this slot's frame of every block (a deep check); what is wrong at the first bad one. */
  async verifySlot(slot: number): Promise<BadShard['reason'] | null> {
    let found: BadShard['reason'] | null = null;
    const onBad = this.onBad;
    this.onBad = (b) => { found = b.reason; };
    try {
      for (let i = 0; i < this.layout.blocks && !found; i++) await this.readShard(slot, i, this.layout.shardLength(i));
    } finally {
      this.onBad = onBad;
    }
    return found;
  }

  private get dataShards(): number[] {
    return Array.from({ length: this.ctx.k }, (_, s) => s);
  }

  async close(): Promise<void> {
    for (const r of this.readers.values()) await r.then((x) => x.close(), () => undefined);
    this.readers.clear();
  }

  private usable(slot: number): boolean {
    return this.holders[slot] && !this.bad.has(slot) && this.ctx.drives[slot] !== null;
  }

  private markBad(slot: number, reason: BadShard['reason']): null {
    if (!this.bad.has(slot)) {
      this.bad.add(slot);
      this.onBad({ slot, reason });
    }
    return null;
  }

  /** One frame, verified; null (and reported) when missing, short or corrupt. */
  private async readShard(slot: number, block: number, len: number): Promise<Uint8Array | null> {
    let hash: Uint8Array;
    let shard: Uint8Array;
    const offset = this.layout.frameOffset(block);
    if (this.source.kind === 'inline') {
      const frames = this.source.frames[slot];
      if (!frames || frames.length < offset + HASH_LEN + len) return this.markBad(slot, 'missing');
      hash = frames.subarray(offset, offset + HASH_LEN);
      shard = frames.subarray(offset + HASH_LEN, offset + HASH_LEN + len);
    } else {
      const frame = Buffer.allocUnsafe(HASH_LEN + len);
      try {
        const reader = await this.reader(slot);
        await reader.readExactly(frame, offset);
      } catch {
        return this.markBad(slot, 'missing');
      }
      hash = frame.subarray(0, HASH_LEN);
      shard = frame.subarray(HASH_LEN);
    }
    if (!hashEquals(hash, blockHash(shard))) return this.markBad(slot, 'corrupt');
    return shard;
  }

  private reader(slot: number): Promise<ShardFileReader> {
    let r = this.readers.get(slot);
    if (!r) {
      if (this.source.kind !== 'file') throw new Error('not a file source');
      r = this.source.open(slot);
      r.catch(() => undefined);
      this.readers.set(slot, r);
    }
    return r;
  }
}
