import { GranaryError } from '../common/errors.js';
import type { ShardFileWriter } from '../drive/local-drive.js';
import { blockHash } from './bitrot.js';
import { sharedBuffers } from './buffer-pool.js';
import { writeQuorum } from './layout.js';
import { BlockMd5 } from './md5-thread.js';
import type { SetContext } from './set-context.js';

export interface EncodeOptions {
  /** Content-Length when the client sent one: the body must match it exactly. */
  expectedSize?: number;
  maxSize: number;
  /** Objects up to this size keep their shards in the metadata DB (0: never). */
  inlineLimit: number;
  /** Called once the part is known to need files: one writer per slot, null where a drive cannot take it. */
  openFiles: () => Promise<(ShardFileWriter | null)[]>;
}

export interface EncodedPart {
  size: number;
  md5: Buffer;
  /** Inline objects: each slot's framed shard bytes. */
  inline?: Uint8Array[];
  /** slotFailed[slot]: that drive's shard was not written. */
  slotFailed: boolean[];
}

/**
 * Streams a body into framed shards, one 1 MiB block at a time: copied once
 * into a block buffer laid out as the k data shards, parity computed in kernel
 * memory and copied in after them, frames written to every drive in parallel while the
 * next block fills and the MD5 thread hashes the last. Memory is a few blocks
 * per request whatever the size; full block buffers are shared memory from a
 * pool, reused once written and hashed.
 */
export async function encodePart(ctx: SetContext, distribution: number[], body: AsyncIterable<Uint8Array>, opts: EncodeOptions): Promise<EncodedPart> {
  const { k, m, blockSize } = ctx;
  const n = distribution.length;
  const md5 = new BlockMd5();
  const pool = sharedBuffers(blockBufferSize(blockSize, k, m), 32);
  const newBlockBuffer = (bytes: number) => (bytes >= blockSize ? pool.acquire() : Buffer.allocUnsafe(blockBufferSize(bytes, k, m)));
  const slotFailed = new Array<boolean>(n).fill(false);
  let writers = null as (ShardFileWriter | null)[] | null;
  let inflight = null as Promise<void> | null;
  let size = 0;
  // A small object must not cost a whole block of memory: start at its declared size and grow to a block.
  let cap = Math.min(blockSize, opts.expectedSize ?? 64 * 1024);
  let buf = newBlockBuffer(cap);
  let fill = 0;
  let blocksEmitted = 0;

  const emit = async (block: Buffer, len: number): Promise<void> => {
    const frames = frameBlock(ctx, distribution, block, len);
    const hashed = md5.update(block.subarray(0, len));
    hashed.catch(() => undefined);
    if (inflight) await inflight;
    if (!writers) {
      writers = await opts.openFiles();
      writers.forEach((w, slot) => { if (!w) slotFailed[slot] = true; });
    }
    const ws = writers;
    // A write that failed (or timed out) may still hold the block: only a block every drive took goes back to the pool.
    let taken = true;
    inflight = Promise.all(
      ws.map(async (w, slot) => {
        if (!w || slotFailed[slot]) return;
        try {
          await w.write(frames[slot]);
        } catch {
          slotFailed[slot] = true;
          taken = false;
        }
      }),
    )
      .then(() => hashed)
      .then(() => {
        assertWriteQuorum(ctx, slotFailed);
        if (taken) pool.release(block);
      });
    blocksEmitted++;
  };

  try {
    for await (const chunk of body) {
      let off = 0;
      size += chunk.length;
      if (size > opts.maxSize) throw new GranaryError('EntityTooLarge', `the body exceeds ${opts.maxSize} bytes`);
      if (opts.expectedSize !== undefined && size > opts.expectedSize) {
        throw new GranaryError('InvalidRequest', `the body is longer than its declared ${opts.expectedSize} bytes`);
      }
      while (off < chunk.length) {
        const take = Math.min(blockSize - fill, chunk.length - off);
        if (fill + take > cap) {
          cap = Math.min(blockSize, Math.max(fill + take, cap * 4));
          const bigger = newBlockBuffer(cap);
          buf.copy(bigger, 0, 0, fill);
          buf = bigger;
        }
        buf.set(chunk.subarray(off, off + take), fill);
        fill += take;
        off += take;
        if (fill === blockSize) {
          const full = buf;
          cap = blockSize;
          buf = newBlockBuffer(cap);
          fill = 0;
          await emit(full, blockSize);
        }
      }
    }
    if (opts.expectedSize !== undefined && size !== opts.expectedSize) {
      throw new GranaryError('IncompleteBody', `received ${size} of ${opts.expectedSize} bytes`);
    }
    if (blocksEmitted === 0 && size <= opts.inlineLimit) {
      const frames = fill > 0 ? frameBlock(ctx, distribution, buf, fill) : distribution.map(() => [] as Uint8Array[]);
      await md5.update(buf.subarray(0, fill));
      return { size, md5: await md5.digest(), inline: frames.map((f) => Buffer.concat(f)), slotFailed };
    }
    if (fill > 0 || blocksEmitted === 0) await emit(buf, fill);
    await inflight;
    await Promise.all(
      (writers ?? []).map(async (w, slot) => {
        if (!w) return;
        if (slotFailed[slot]) return w.abort();
        try {
          await w.finish();
        } catch {
          slotFailed[slot] = true;
        }
      }),
    );
    assertWriteQuorum(ctx, slotFailed);
    return { size, md5: await md5.digest(), slotFailed };
  } catch (err) {
    md5.drop();
    await inflight?.catch(() => undefined);
    await Promise.all((writers ?? []).map((w) => w?.abort()));
    throw err;
  }
}

/**
 * Room for `bytes` of data laid out as k equal shards, padding, and the m
 * parity shards after them: a block's whole stripe, every shard a plain slice.
 */
function blockBufferSize(bytes: number, k: number, m: number): number {
  return Math.ceil(Math.max(bytes, 1) / k) * (k + m) + k;
}

/**
 * Frames of one block for each slot: [hash, shard]. Every shard is a slice of
 * the block buffer itself; parity is computed in kernel memory and copied
 * into the buffer after the data shards.
 */
function frameBlock(ctx: SetContext, distribution: number[], block: Buffer, len: number): Uint8Array[][] {
  const { k } = ctx;
  const shardLen = Math.ceil(len / k);
  block.fill(0, len, shardLen * k);
  const shards: Uint8Array[] = [];
  for (let i = 0; i < k; i++) shards.push(block.subarray(i * shardLen, (i + 1) * shardLen));
  shards.push(...ctx.codec.parity(shards, shardLen, (i) => block.subarray((k + i) * shardLen, (k + i + 1) * shardLen)));
  return distribution.map((shardIndex) => [blockHash(shards[shardIndex]), shards[shardIndex]]);
}

export function assertWriteQuorum(ctx: SetContext, slotFailed: boolean[]): void {
  const ok = slotFailed.filter((f) => !f).length;
  const need = writeQuorum(ctx.k, ctx.m);
  if (ok >= need) return;
  // Drives out of space are what a client can act on (free space), so they name the error.
  const full = slotFailed.some((f, slot) => f && ctx.drives[slot]?.health.full);
  throw new GranaryError(full ? 'XGranaryStorageFull' : 'XGranaryWriteQuorum', `only ${ok} drives took the write, ${need} needed`);
}
