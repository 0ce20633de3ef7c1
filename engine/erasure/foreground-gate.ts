/**
 * Counts the client requests in flight on one erasure set, so background
 * work (heal, rebuild, scanner) can step aside: it waits for a quiet moment
 * before each object rather than queueing its reads and fsyncs in front of
 * a client's. The wait is bounded, so a set that is never quiet still heals.
 */
export class ForegroundGate {
  private active = 0;
  private waiters: (() => void)[] = [];

  /** A client request started; call the returned function once when it ends. */
  enter(): () => void {
    this.active++;
    let left = false;
    return () => {
      if (left) return;
      left = true;
      if (--this.active === 0) this.wake();
    };
  }

  get busy(): boolean {
    return this.active > 0;
  }

  /** Resolves when no client request is in flight, or after `maxWaitMs`. */
  idle(maxWaitMs: number): Promise<void> {
    if (this.active === 0) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        resolve();
      };
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== done);
        resolve();
      }, maxWaitMs);
      this.waiters.push(done);
    });
  }

  private wake(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w();
  }
}
