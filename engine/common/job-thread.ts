import type { Worker } from 'node:worker_threads';
import { GranaryError } from './errors.js';
import type { JobReply } from './serve-jobs.js';
import { startWorker } from './start-worker.js';

/** A job as its sender gives it (the thread numbers it), for each member of a union of jobs. */
type WithoutId<T> = T extends unknown ? Omit<T, 'id'> : never;

/**
 * The main-thread side of a worker that takes jobs and answers each one by
 * id, in the order given. Started on first use and shared by the whole
 * process; it holds the process open only while it has work. A thread that
 * dies fails what it held, and the next job starts a new one.
 */
export class JobThread<Job extends { id: number }, Reply extends JobReply> {
  private worker: Worker | null = null;
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (reply: Reply) => void; reject: (err: Error) => void }>();

  constructor(
    /** For error messages: what the thread is. */
    private readonly name: string,
    private readonly entry: URL,
    private readonly workerData: unknown,
  ) {}

  run(job: WithoutId<Job>): Promise<Reply> {
    const worker = this.thread();
    const id = this.nextId++;
    return new Promise<Reply>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      if (this.pending.size === 1) worker.ref();
      worker.postMessage({ ...job, id });
    });
  }

  private thread(): Worker {
    if (this.worker) return this.worker;
    const worker = startWorker(this.entry, this.workerData);
    worker.unref();
    worker.on('message', (reply: Reply) => {
      const p = this.pending.get(reply.id);
      if (!p) return;
      this.pending.delete(reply.id);
      if (this.pending.size === 0) worker.unref();
      if (reply.error !== undefined) p.reject(new GranaryError('InternalError', `${this.name}: ${reply.error}`));
      else p.resolve(reply);
    });
    const fail = (err: Error) => {
      if (this.worker !== worker) return;
      this.worker = null;
      for (const p of this.pending.values()) p.reject(new GranaryError('InternalError', `${this.name} thread: ${err.message}`));
      this.pending.clear();
    };
    worker.on('error', fail);
    worker.on('exit', (code) => fail(new Error(`exited with code ${code}`)));
    this.worker = worker;
    return worker;
  }
}
