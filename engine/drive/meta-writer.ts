import type { Worker } from 'node:worker_threads';
import { startWorker } from '../common/start-worker.js';
import type { MetaOp, OpReply, OpRequest, OpResult, WriterInit } from './meta-ops.js';

/** How many ops may wait for one drive before new writers wait too: a slow drive must not fall behind without bound. */
const MAX_IN_FLIGHT = 512;

/** The main-thread side of a drive's writer thread. */
export class MetaWriter {
  private readonly worker: Worker;
  private readonly pending = new Map<number, (r: OpResult) => void>();
  private readonly waiting: (() => void)[] = [];
  /** Ops of this turn of the event loop, posted together: one message per turn rather than one per op (a wake-up of the thread each). */
  private outbox: OpRequest[] = [];
  private nextId = 1;
  private closed = false;
  private failure: Error | undefined;
  readonly ready: Promise<void>;

  constructor(root: string) {
    this.worker = startWorker(new URL('./meta-writer.worker', import.meta.url), { root } satisfies WriterInit);
    this.ready = new Promise((resolve, reject) => {
      const onReady = (msg: unknown) => {
        if (msg === 'ready') { this.worker.off('error', reject); this.worker.unref(); resolve(); }
      };
      this.worker.once('message', onReady);
      this.worker.once('error', reject);
      // Settled once an abandoned writer's thread has stopped: until then it may hold a call on its disk (drive-looks.ts counts it).
      this.worker.once('exit', () => reject(new Error('drive writer stopped before it was ready')));
    });
    this.worker.on('message', (msg: OpReply[] | 'ready') => {
      if (msg === 'ready') return;
      for (const reply of msg) {
        const resolve = this.pending.get(reply.id);
        this.pending.delete(reply.id);
        resolve?.(reply.result);
      }
      while (this.waiting.length > 0 && this.pending.size < MAX_IN_FLIGHT) this.waiting.shift()!();
      // An idle writer must not keep the process alive; a busy one must.
      if (this.pending.size === 0 && !this.closed) this.worker.unref();
    });
    this.worker.on('error', (err) => this.fail(err));
    this.worker.on('exit', (code) => { if (!this.closed) this.fail(new Error(`drive writer exited with code ${code}`)); });
  }

  get inFlight(): number { return this.pending.size; }

  async apply(op: MetaOp): Promise<OpResult> {
    if (this.failure) return { ok: false, kind: 'offline', message: this.failure.message };
    while (this.pending.size >= MAX_IN_FLIGHT) await new Promise<void>((r) => this.waiting.push(r));
    const id = this.nextId++;
    if (this.pending.size === 0) this.worker.ref();
    return new Promise<OpResult>((resolve) => {
      this.pending.set(id, resolve);
      this.outbox.push({ id, op });
      if (this.outbox.length === 1) setImmediate(() => this.post());
    });
  }

  private post(): void {
    const batch = this.outbox;
    this.outbox = [];
    if (batch.length > 0 && !this.failure && !this.closed) this.worker.postMessage(batch);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.failure) return;
    const exited = new Promise<void>((r) => this.worker.once('exit', () => r()));
    this.worker.ref();
    if (this.outbox.length > 0) this.worker.postMessage(this.outbox.splice(0));
    this.worker.postMessage('close');
    await exited;
  }

  /** A writer that never became ready (its disk hangs): stopped without waiting, since a thread stuck in a syscall may never exit. */
  abandon(): void {
    this.closed = true;
    this.fail(new Error('drive writer abandoned'));
    void this.worker.terminate().catch(() => undefined);
    this.worker.unref();
  }

  private fail(err: Error): void {
    this.failure = err;
    for (const resolve of this.pending.values()) resolve({ ok: false, kind: 'offline', message: err.message });
    this.pending.clear();
    for (const w of this.waiting.splice(0)) w();
  }
}
