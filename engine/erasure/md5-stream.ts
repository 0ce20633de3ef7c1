/**
 * The message protocol of the MD5 thread (md5.worker.ts). A large PUT's
 * ETag is the MD5 of its body, which runs at about 750 MB/s on one core
 * here: a quarter of a large PUT's main-thread time. The thread hashes each
 * block of the body, in order, out of the shared buffer the encoder filled,
 * while the main thread computes parity and writes.
 */
import type { JobReply } from '../common/serve-jobs.js';

export type Md5Job =
  | { id: number; op: 'update'; stream: number; buffer: SharedArrayBuffer; offset: number; length: number }
  | { id: number; op: 'digest' | 'drop'; stream: number };

export interface Md5Reply extends JobReply {
  /** For `digest`: the 16 bytes of the stream's MD5. */
  digest?: Uint8Array;
}
