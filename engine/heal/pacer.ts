/**
 * Keeps a walk at `perSecond` objects: after each batch it sleeps what the
 * batch was ahead of schedule, so foreground requests get the drives between
 * batches. 0 runs unpaced but still yields to the event loop every batch.
 */
export class Pacer {
  private readonly started = Date.now();
  private done = 0;

  private readonly batch: number;

  constructor(private readonly perSecond: number) {
    this.batch = perSecond > 0 ? Math.max(1, Math.min(16, Math.floor(perSecond))) : 16;
  }

  async tick(): Promise<void> {
    this.done++;
    if (this.done % this.batch !== 0) return;
    if (this.perSecond <= 0) {
      await new Promise((r) => setImmediate(r));
      return;
    }
    const due = this.started + (this.done / this.perSecond) * 1000;
    const wait = due - Date.now();
    await new Promise((r) => (wait > 0 ? setTimeout(r, wait) : setImmediate(r)));
  }
}
