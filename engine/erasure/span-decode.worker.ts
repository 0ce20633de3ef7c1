/**
 * The span decoder thread: checks source frames and rebuilds shards of a
 * rebuild's spans off the main thread, which keeps only the I/O. Hashing and
 * decoding are most of a rebuild's CPU; on the main thread they would delay
 * every client request that arrives meanwhile.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { createXXHash128 } from 'hash-wasm';
import { serveJobs } from '../common/serve-jobs.js';
import { lowerThisThreadsPriority } from '../common/thread-priority.js';
import { BlockCodec } from './block-codec.js';
import type { SpanJob, SpanReply } from './span-decode.js';

const HASH_LEN = (workerData as { hashLen: number }).hashLen;
// Only rebuilds and deep checks use this thread: a client request's threads go first.
lowerThisThreadsPriority();
const port = parentPort!;
const codecs = new Map<string, BlockCodec>();

function codecFor(job: SpanJob): BlockCodec {
  const key = `${job.k}+${job.m}/${job.fullShard}`;
  let codec = codecs.get(key);
  if (!codec) codecs.set(key, (codec = new BlockCodec(job.k, job.m, job.fullShard)));
  return codec;
}

// Top-level await is not for CommonJS, which is how tsx runs a worker from source: jobs wait for the hasher instead.
const hasherReady = createXXHash128();

async function run(job: SpanJob): Promise<SpanReply> {
  const hasher = await hasherReady;
  const bytes = new Uint8Array(job.buffer);
  const frameSize = HASH_LEN + job.fullShard;
  const frame = (s: number, j: number) => job.stride * s + frameSize * j;
  const hashOf = (data: Uint8Array) => {
    hasher.init();
    hasher.update(data);
    return hasher.digest('binary');
  };
  const corrupt = job.sources.filter((s) => job.lengths.some((len, j) => {
    const at = frame(s, j);
    const hash = hashOf(bytes.subarray(at + HASH_LEN, at + HASH_LEN + len));
    for (let b = 0; b < HASH_LEN; b++) if (hash[b] !== bytes[at + b]) return true;
    return false;
  }));
  if (corrupt.length > 0) return { id: job.id, corrupt };
  const codec = codecFor(job);
  const shards: (Uint8Array | null)[] = new Array(job.k + job.m).fill(null);
  job.lengths.forEach((len, j) => {
    shards.fill(null);
    for (const s of job.sources) shards[s] = bytes.subarray(frame(s, j) + HASH_LEN, frame(s, j) + HASH_LEN + len);
    codec.reconstruct(shards, len, job.targets, (s) => bytes.subarray(frame(s, j) + HASH_LEN, frame(s, j) + HASH_LEN + len));
    for (const s of job.targets) bytes.set(hashOf(shards[s]!), frame(s, j));
  });
  return { id: job.id, corrupt: [] };
}

serveJobs(port, run);
