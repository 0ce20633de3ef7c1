import { reedSolomon, type ReedSolomon, type Stripe } from './rs/codec.js';

/**
 * The erasure code as the encode and decode paths use it: shards in plain
 * buffers, kernel memory touched only inside one synchronous call. Nothing
 * holds a view into kernel memory across an await, so memory growth (which
 * detaches views) can never pull bytes from under a pending write.
 */
export class BlockCodec {
  private readonly rs: ReedSolomon;
  private scratch: Stripe | null = null;

  constructor(readonly k: number, readonly m: number, private readonly maxShard: number) {
    this.rs = reedSolomon(k, m);
  }

  /**
   * The m parity shards of k data shards of `len` bytes each, in fresh
   * buffers or in `into(i)` (at least `len` bytes) when given: a fresh buffer
   * per shard per block costs more (page faults, zeroing) than the code.
   */
  parity(data: Uint8Array[], len: number, into?: (i: number) => Uint8Array): Uint8Array[] {
    const out = (i: number) => into?.(i).subarray(0, len) ?? Buffer.allocUnsafe(len);
    if (len === 0) return Array.from({ length: this.m }, (_, i) => out(i));
    const stripe = this.stripe(len);
    const views = stripe.shards;
    for (let i = 0; i < this.k; i++) views[i].set(data[i].subarray(0, len));
    stripe.encode(len);
    return Array.from({ length: this.m }, (_, i) => {
      const o = out(i);
      o.set(views[this.k + i].subarray(0, len));
      return o;
    });
  }

  /**
   * Fills the null entries of `shards` (k + m, by shard index) from at least k
   * present ones of `len` bytes. `want` limits which missing shards are
   * returned (all by default), each in a fresh buffer or in `into(i)` (at
   * least `len` bytes) when given.
   */
  reconstruct(shards: (Uint8Array | null)[], len: number, want?: readonly number[], into?: (i: number) => Uint8Array): void {
    const present = shards.map((s) => s !== null);
    const missing = want ?? shards.map((_, i) => i).filter((i) => !present[i]);
    if (len === 0) {
      for (const i of missing) shards[i] = Buffer.alloc(0);
      return;
    }
    const stripe = this.stripe(len);
    const views = stripe.shards;
    shards.forEach((s, i) => { if (s) views[i].set(s.subarray(0, len)); });
    stripe.reconstruct(present, len, missing);
    for (const i of missing) {
      if (present[i]) continue;
      const out = into?.(i).subarray(0, len);
      if (out) out.set(views[i].subarray(0, len));
      shards[i] = out ?? Buffer.from(views[i].subarray(0, len));
    }
  }

  private stripe(len: number): Stripe {
    if (len > this.maxShard) throw new RangeError(`shard of ${len} bytes exceeds the block layout's ${this.maxShard}`);
    this.scratch ??= this.rs.allocStripe(this.maxShard);
    return this.scratch;
  }
}
