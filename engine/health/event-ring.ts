import type { HealthEvent, HealthEventBody } from '../api/health/types.js';

/** The last `capacity` events, numbered from 1: what a reconnecting stream can still replay. */
export class EventRing {
  private readonly events: HealthEvent[] = [];
  private seq = 0;

  constructor(private readonly capacity: number) {}

  get lastSeq(): number { return this.seq; }

  push(body: HealthEventBody, now = new Date()): HealthEvent {
    const event = { ...body, seq: ++this.seq, time: now.toISOString() } as HealthEvent;
    this.events.push(event);
    if (this.events.length > this.capacity) this.events.shift();
    return event;
  }

  /** Events after `afterSeq`, oldest first; complete is false when the ring no longer holds all of them. */
  since(afterSeq: number): { events: HealthEvent[]; complete: boolean } {
    // An id from before this process started (numbering restarted): everything held, and a resync.
    if (afterSeq > this.seq) return { events: [...this.events], complete: false };
    const events = this.events.filter((e) => e.seq > afterSeq);
    const oldest = this.events[0]?.seq ?? this.seq + 1;
    return { events, complete: afterSeq >= oldest - 1 || afterSeq >= this.seq };
  }
}
