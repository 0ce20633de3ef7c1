import type { Worker } from 'node:worker_threads';
import { GranaryError } from '../common/errors.js';
import { startWorker } from '../common/start-worker.js';
import { HASH_LEN } from './bitrot.js';
import type { SpanJob, SpanReply } from './span-decode.js';

/**
 * The main-thread side of the span decoder thread, started on first use
 * and shared by every rebuild of the process. The thread holds the process
 * open only while it has work.
 */
class SpanDecoder {
  private worker: Worker | null = null;
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (corrupt: number[]) => void; reject: (err: Error) => void }>();

  /** Checks the job's sources and, when all are intact, rebuilds its targets in the buffer; resolves to the corrupt sources. */
  decode(job: Omit<SpanJob, 'id'>): Promise<number[]> {
    const worker = this.thread();
    const id = this.nextId++;
    return new Promise<number[]>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      if (this.pending.size === 1) worker.ref();
      worker.postMessage({ ...job, id } satisfies SpanJob);
    });
  }

  private thread(): Worker {
    if (this.worker) return this.worker;
    const worker = startWorker(new URL('./span-decode.worker', import.meta.url), { hashLen: HASH_LEN });
    worker.unref();
    worker.on('message', (reply: SpanReply) => {
      const p = this.pending.get(reply.id);
      if (!p) return;
      this.pending.delete(reply.id);
      if (this.pending.size === 0) worker.unref();
      if (reply.error !== undefined) p.reject(new GranaryError('InternalError', `span decoder: ${reply.error}`));
      else p.resolve(reply.corrupt);
    });
    // A thread that dies fails what it held; the next job starts a new one.
    const fail = (err: Error) => {
      if (this.worker !== worker) return;
      this.worker = null;
      for (const p of this.pending.values()) p.reject(new GranaryError('InternalError', `span decoder thread: ${err.message}`));
      this.pending.clear();
    };
    worker.on('error', fail);
    worker.on('exit', (code) => fail(new Error(`exited with code ${code}`)));
    this.worker = worker;
    return worker;
  }
}

export const spanDecoder = new SpanDecoder();
