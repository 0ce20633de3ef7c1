/**
 * The message protocol of the span decoder thread (span-decode.worker.ts)
 * and the layout of the buffer both sides work in.
 *
 * A span is a run of consecutive blocks of one part. Its buffer holds, per
 * shard index s, that shard's frames of the span exactly as they lie in the
 * shard file (hash ‖ shard, a fixed stride apart), starting at s × stride:
 * a source's frames arrive with one read, a rebuilt shard's leave with one
 * write, and no byte is copied on the main thread.
 *
 * The buffer is shared, not transferred: a transferred buffer is new
 * external memory to V8 each time it arrives, and the collections that
 * triggered cost more than the shared memory's slower copies.
 */
import type { JobReply } from '../common/serve-jobs.js';

export interface SpanJob {
  id: number;
  buffer: SharedArrayBuffer;
  k: number;
  m: number;
  /** Bytes of a full shard (the block layout's); every block but a part's last has it. */
  fullShard: number;
  /** Bytes between shard regions in `buffer`. */
  stride: number;
  /** Shard bytes of each block of the span, in order. */
  lengths: number[];
  /** Shard indices whose frames were read: each frame is checked against its hash. */
  sources: number[];
  /** Shard indices to rebuild from the sources, hashes included, when every source frame is intact. */
  targets: number[];
}

export interface SpanReply extends JobReply {
  /** Sources with a frame whose hash does not match: nothing was rebuilt. */
  corrupt: number[];
}
