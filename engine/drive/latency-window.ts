/** How many recent operations each percentile is taken over. */
const WINDOW = 512;

/**
 * Rolling latency of one drive's reads or writes: the last WINDOW samples in
 * a ring, percentiles sorted on demand (snapshots are rare, samples are not).
 */
export class LatencyWindow {
  private readonly ring = new Float64Array(WINDOW);
  private count = 0;
  private next = 0;

  record(ms: number): void {
    this.ring[this.next] = ms;
    this.next = (this.next + 1) % WINDOW;
    if (this.count < WINDOW) this.count++;
  }

  summary(): { p50: number | null; p99: number | null; samples: number } {
    if (this.count === 0) return { p50: null, p99: null, samples: 0 };
    const sorted = this.ring.slice(0, this.count).sort();
    const at = (q: number) => round(sorted[Math.min(this.count - 1, Math.ceil(q * this.count) - 1)]);
    return { p50: at(0.5), p99: at(0.99), samples: this.count };
  }
}

function round(ms: number): number {
  return Math.round(ms * 1000) / 1000;
}
