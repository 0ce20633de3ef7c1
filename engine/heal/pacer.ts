/**
 * Keeps a walk at `perSecond` objects and `bytesPerSecond` bytes read and
 * written, whichever is slower: after each batch of objects (or any object
 * that moved bytes, when bytes are budgeted) it sleeps what the walk was
 * ahead of schedule, so foreground requests get the drives meanwhile. A
 * budget of 0 is no limit; with neither, the walk still yields to the event
 * loop every batch.
 */
export class Pacer {
  private readonly started = Date.now();
  private done = 0;
  private bytes = 0;

  private readonly batch: number;

  constructor(private readonly perSecond: number, private readonly bytesPerSecond = 0) {
    this.batch = perSecond > 0 ? Math.max(1, Math.min(16, Math.floor(perSecond))) : 16;
  }

  /** One object done, having read or written `bytes`. */
  async tick(bytes = 0): Promise<void> {
    this.done++;
    this.bytes += bytes;
    const budgeted = this.bytesPerSecond > 0 && bytes > 0;
    if (this.done % this.batch !== 0 && !budgeted) return;
    const seconds = Math.max(
      this.perSecond > 0 ? this.done / this.perSecond : 0,
      this.bytesPerSecond > 0 ? this.bytes / this.bytesPerSecond : 0,
    );
    const wait = this.started + seconds * 1000 - Date.now();
    await new Promise((r) => (wait > 0 ? setTimeout(r, wait) : setImmediate(r)));
  }
}
