/**
 * In-process mutual exclusion by name. The commit of a write to its drives
 * must not interleave with another commit of the same key, or two drives
 * could end up with the two writes in opposite orders. One engine process owns
 * its drives, so a process-local lock is enough.
 */
export class KeyLock {
  private readonly tails = new Map<string, Promise<void>>();

  async run<T>(name: string, fn: () => Promise<T>): Promise<T> {
    const prev = this.tails.get(name) ?? Promise.resolve();
    let release!: () => void;
    const mine = new Promise<void>((r) => { release = r; });
    const tail = prev.then(() => mine);
    this.tails.set(name, tail);
    await prev;
    try {
      return await fn();
    } finally {
      release();
      if (this.tails.get(name) === tail) this.tails.delete(name);
    }
  }
}
