import type { Worker } from 'node:worker_threads';
import { GranaryError } from './errors.js';
import type { JobReply } from './serve-jobs.js';
import { startWorker } from './start-worker.js';

/** A job as its sender gives it (the thread numbers it), for each member of a union of jobs. */
export type WithoutId<T> = T extends unknown ? Omit<T, 'id'> : never;

/**
 * The main-thread side of a worker that takes jobs and answers each one by
 * id, in the order given; the jobs of one turn travel as one message.
 * Started on first use; it holds the process open only while it has work.
 * A thread that dies fails what it held, and the next job starts a new one.
 */
export class JobThread<Job extends { id: number }, Reply extends JobReply> {
  private worker: Worker | null = null;
  private closed = false;
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (reply: Reply) => void; reject: (err: Error) => void }>();
  /** Jobs of this turn of the event loop, posted together: one message (one wake-up of the thread) per turn rather than per job. */
  private outbox: (WithoutId<Job> & { id: number })[] = [];

  constructor(
    /** For error messages: what the thread is. */
    private readonly name: string,
    private readonly entry: URL,
    private readonly workerData: unknown,
  ) {}

  run(job: WithoutId<Job>): Promise<Reply> {
    if (this.closed) return Promise.reject(new GranaryError('InternalError', `${this.name}: closed`));
    const worker = this.thread();
    const id = this.nextId++;
    return new Promise<Reply>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      if (this.pending.size === 1) worker.ref();
      this.outbox.push({ ...job, id });
      if (this.outbox.length === 1) setImmediate(() => this.post());
    });
  }

  /**
   * To the thread running now: a thread that died since has failed the jobs
   * it was sent and emptied the outbox, so what is here is for its successor.
   */
  private post(): void {
    const batch = this.outbox;
    this.outbox = [];
    if (batch.length > 0 && this.worker) this.worker.postMessage(batch);
  }

  /**
   * Ends the thread: what it held fails, and it starts no more. Not awaited:
   * a thread stuck in a native call (a read from a hung disk) ends only when
   * that call returns, and must not hold the closing of the engine.
   */
  close(): void {
    this.closed = true;
    const worker = this.worker;
    if (!worker) return;
    for (const p of this.pending.values()) p.reject(new GranaryError('InternalError', `${this.name}: closed`));
    this.pending.clear();
    this.outbox = [];
    this.worker = null;
    worker.unref();
    void worker.terminate().catch(() => undefined);
  }

  private thread(): Worker {
    if (this.worker) return this.worker;
    const worker = startWorker(this.entry, this.workerData);
    worker.unref();
    worker.on('message', (replies: Reply[]) => {
      for (const reply of replies) {
        const p = this.pending.get(reply.id);
        if (!p) continue;
        this.pending.delete(reply.id);
        if (reply.error !== undefined) p.reject(new GranaryError('InternalError', `${this.name}: ${reply.error}`));
        else p.resolve(reply);
      }
      if (this.pending.size === 0) worker.unref();
    });
    const fail = (err: Error) => {
      if (this.worker !== worker) return;
      this.worker = null;
      this.outbox = [];
      for (const p of this.pending.values()) p.reject(new GranaryError('InternalError', `${this.name} thread: ${err.message}`));
      this.pending.clear();
    };
    worker.on('error', fail);
    worker.on('exit', (code) => fail(new Error(`exited with code ${code}`)));
    this.worker = worker;
    return worker;
  }
}
