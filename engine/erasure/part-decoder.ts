import { GranaryError } from '../common/errors.js';
import type { ShardFileReader } from '../drive/local-drive.js';
import { blockHash, hashEquals, HASH_LEN } from './bitrot.js';
import type { PartLayout } from './layout.js';
import type { SetContext } from './set-context.js';
import { spanDecoder } from './span-decoder.js';

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
  private readonly frameBufs: Buffer[] = [];
  private readonly decodeBufs: Buffer[] = [];

  constructor(
    private readonly ctx: SetContext,
    distribution: number[],
    private readonly layout: PartLayout,
    private readonly source: ShardSource,
    /** Slots that hold this version at all. */
    private readonly holders: boolean[],
    private onBad: (bad: BadShard) => void,
    /**
     * Read every frame into one buffer per slot, and decode into one per
     * shard, reused from block to block: a block's shards are then valid only
     * until the next read. For a rebuild, which copies them out at once; a
     * fresh 512 KiB buffer per shard per block cost more CPU (page faults,
     * collection) than the hashing and decoding together.
     */
    private readonly reuse = false,
  ) {
    this.slotOfShard = [];
    distribution.forEach((shard, slot) => { this.slotOfShard[shard] = slot; });
  }

  /** Shards of block i by shard index; the `want` ones (data shards by default) are always filled. */
  async readBlock(i: number, want: readonly number[] = this.dataShards): Promise<(Uint8Array | null)[]> {
    const len = this.layout.shardLength(i);
    const plan = this.gather(i, want);
    let step = plan.next();
    while (!step.done) step = plan.next(await Promise.all(step.value.map((slot) => this.readShard(slot, i, len))));
    return step.value;
  }

  /** As `readBlock`, at once: for inline frames, which are in memory already, so a small GET needs no await. */
  readInlineBlock(i: number, want: readonly number[] = this.dataShards): (Uint8Array | null)[] {
    const len = this.layout.shardLength(i);
    const plan = this.gather(i, want);
    let step = plan.next();
    while (!step.done) step = plan.next(step.value.map((slot) => this.inlineShard(slot, i, len)));
    return step.value;
  }

  /**
   * The order of reads for one block, shared by the sync and async readers:
   * yields the slots to read next, takes back what they gave (null for a bad
   * one), and returns the block's shards once k are good.
   */
  private *gather(i: number, want: readonly number[]): Generator<number[], (Uint8Array | null)[], (Uint8Array | null)[]> {
    const { k, m } = this.ctx;
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
      const got = yield batch.map((s) => this.slotOfShard[s]);
      batch.forEach((s, j) => {
        if (got[j]) {
          shards[s] = got[j];
          good++;
        }
      });
    }
    if (want.some((s) => !shards[s])) {
      const into = this.reuse ? (s: number) => (this.decodeBufs[s] ??= Buffer.allocUnsafe(this.layout.fullShard)) : undefined;
      this.ctx.codec.reconstruct(shards, this.layout.shardLength(i), want, into);
    }
    return shards;
  }

  /**
   * Rebuilds the `targets` shards (by shard index) of blocks [first, first +
   * count) into `span`, laid out as span-decode.ts says with `stride` bytes
   * per shard: source frames are read straight into it and checked, and the
   * targets decoded, on the span decoder thread. A source found missing or
   * corrupt is reported once and replaced by the next; fewer than k intact
   * ones is a read quorum error. `span` must be a whole SharedArrayBuffer.
   */
  async rebuildSpan(first: number, count: number, targets: readonly number[], span: Buffer, stride: number): Promise<void> {
    const { k, m } = this.ctx;
    const lengths = Array.from({ length: count }, (_, j) => this.layout.shardLength(first + j));
    const bytes = this.layout.framesBytes(first, count);
    const position = this.layout.frameOffset(first);
    const sources: number[] = [];
    for (;;) {
      const wanted = k - sources.length;
      const batch = Array.from({ length: k + m }, (_, s) => s)
        .filter((s) => !targets.includes(s) && !sources.includes(s) && this.usable(this.slotOfShard[s]))
        .slice(0, wanted);
      if (batch.length === 0 && wanted > 0) {
        throw new GranaryError('XGranaryReadQuorum', `blocks ${first}-${first + count - 1}: only ${sources.length} of ${k} shards could be read intact`);
      }
      const read = await Promise.all(batch.map(async (s) => {
        const slot = this.slotOfShard[s];
        try {
          await (await this.reader(slot)).readExactly(span.subarray(s * stride, s * stride + bytes), position);
          return true;
        } catch {
          this.markBad(slot, 'missing');
          return false;
        }
      }));
      sources.push(...batch.filter((_, j) => read[j]));
      if (sources.length < k) continue;
      const corrupt = await spanDecoder.decode({ buffer: span.buffer as SharedArrayBuffer, k, m, fullShard: this.layout.fullShard, stride, lengths, sources, targets: [...targets] });
      if (corrupt.length === 0) return;
      for (const s of corrupt) {
        this.markBad(this.slotOfShard[s], 'corrupt');
        sources.splice(sources.indexOf(s), 1);
      }
    }
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
    if (this.source.kind === 'inline') return this.inlineShard(slot, block, len);
    const frame = this.reuse
      ? (this.frameBufs[slot] ??= Buffer.allocUnsafe(HASH_LEN + this.layout.fullShard)).subarray(0, HASH_LEN + len)
      : Buffer.allocUnsafe(HASH_LEN + len);
    try {
      const reader = await this.reader(slot);
      await reader.readExactly(frame, this.layout.frameOffset(block));
    } catch {
      return this.markBad(slot, 'missing');
    }
    return this.verified(slot, frame.subarray(0, HASH_LEN), frame.subarray(HASH_LEN));
  }

  private inlineShard(slot: number, block: number, len: number): Uint8Array | null {
    if (this.source.kind !== 'inline') throw new Error('not an inline source');
    const offset = this.layout.frameOffset(block);
    const frames = this.source.frames[slot];
    if (!frames || frames.length < offset + HASH_LEN + len) return this.markBad(slot, 'missing');
    return this.verified(slot, frames.subarray(offset, offset + HASH_LEN), frames.subarray(offset + HASH_LEN, offset + HASH_LEN + len));
  }

  private verified(slot: number, hash: Uint8Array, shard: Uint8Array): Uint8Array | null {
    return hashEquals(hash, blockHash(shard)) ? shard : this.markBad(slot, 'corrupt');
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
