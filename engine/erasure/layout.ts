import { HASH_LEN } from './bitrot.js';

/**
 * Where block i of a part lives in a shard file: every block but the last is
 * full, so frames have a fixed stride, and a byte range maps to frames by
 * arithmetic alone.
 *
 *   shard file = frame(block 0) frame(block 1) … ; frame = hash(16) ‖ shard bytes
 *   shard bytes of a block of L data bytes = ceil(L / k), zero padded
 */
export class PartLayout {
  readonly blocks: number;
  readonly fullShard: number;

  constructor(readonly size: number, readonly blockSize: number, readonly k: number) {
    this.blocks = Math.ceil(size / blockSize);
    this.fullShard = Math.ceil(blockSize / k);
  }

  blockLength(i: number): number {
    return Math.min(this.blockSize, this.size - i * this.blockSize);
  }

  shardLength(i: number): number {
    return Math.ceil(this.blockLength(i) / this.k);
  }

  frameOffset(i: number): number {
    return i * (HASH_LEN + this.fullShard);
  }

  /** Bytes of one shard's frames of blocks [first, first + count): they lie end to end, and only a part's last block may be short. */
  framesBytes(first: number, count: number): number {
    if (count === 0) return 0;
    return this.frameOffset(first + count - 1) - this.frameOffset(first) + HASH_LEN + this.shardLength(first + count - 1);
  }

  /** Bytes of one drive's shard file for this part. */
  get shardFileSize(): number {
    return this.framesBytes(0, this.blocks);
  }
}

/** Write quorum as DESIGN.md sets it: k, or k+1 when k = m so two halves can never both win. */
export function writeQuorum(k: number, m: number): number {
  return k === m ? k + 1 : k;
}
