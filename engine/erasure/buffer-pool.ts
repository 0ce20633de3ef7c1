/**
 * Large buffers of one size handed from one rebuild to the next. A fresh
 * multi-MiB buffer is page-faulted in by the kernel on first touch and
 * unmapped again by the collector: for a rebuild that costs more CPU than the
 * erasure code. The pool keeps at most `max` buffers and lets them all go
 * once it has not been used for `idleMs`, so memory returns after a heal.
 */
export class BufferPool {
  private readonly free: Buffer[] = [];
  private timer: NodeJS.Timeout | null = null;

  constructor(
    readonly size: number,
    private readonly max: number,
    private readonly idleMs = 10_000,
    /** Buffer.allocUnsafe, or a buffer over a SharedArrayBuffer for one another thread works in. */
    private readonly alloc: (size: number) => Buffer = Buffer.allocUnsafe,
  ) {}

  acquire(): Buffer {
    this.touch();
    return this.free.pop() ?? this.alloc(this.size);
  }

  release(buf: Buffer): void {
    this.touch();
    if (buf.length === this.size && this.free.length < this.max) this.free.push(buf);
  }

  private touch(): void {
    if (this.timer) this.timer.refresh();
    else {
      this.timer = setTimeout(() => { this.free.length = 0; this.timer = null; }, this.idleMs);
      this.timer.unref();
    }
  }
}

const sharedPools = new Map<number, BufferPool>();

/**
 * The process's pool of `size`-byte buffers over SharedArrayBuffers, which
 * another thread may work in; one per size, since sets differ in width and
 * block size. `max` counts for the caller that creates it.
 */
export function sharedBuffers(size: number, max: number): BufferPool {
  let pool = sharedPools.get(size);
  if (!pool) sharedPools.set(size, (pool = new BufferPool(size, max, 10_000, (n) => Buffer.from(new SharedArrayBuffer(n)))));
  return pool;
}
