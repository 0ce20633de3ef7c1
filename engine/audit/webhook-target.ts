import type { AuditEntry } from './audit-entry.js';
import type { AuditTarget, TargetStats } from './audit-target.js';
import { Spool, type Segment } from './spool.js';

export interface WebhookTargetOptions {
  url: string;
  authToken?: string;
  /** Where undelivered entries wait: survives a restart. */
  spoolDir: string;
  batchSize: number;
  /** Entries waiting (memory and disk) at most; new entries past it are dropped and counted. */
  queueLimit: number;
  retryMaxMs: number;
  /** One POST's time limit. */
  timeoutMs?: number;
}

const FIRST_RETRY_MS = 250;

/**
 * Batched POSTs of JSON arrays to an HTTP endpoint. Every entry is written
 * to the spool on disk before it is sent, and removed from it only after the
 * endpoint answered 2xx: delivery is at least once, in order, across
 * outages and restarts. A 2xx lost to a crash means a batch is sent again,
 * so receivers drop duplicates by `entryId`.
 */
export class WebhookTarget implements AuditTarget {
  readonly type = 'webhook' as const;
  private readonly spool: Spool;
  /** Entries not yet on disk. */
  private incoming: string[] = [];
  private spilling: Promise<void> | undefined;
  private total = 0;
  private failed = 0;
  private dropped = 0;
  private closed = false;
  private wake: (() => void) | undefined;
  private readonly abort = new AbortController();
  private readonly pump: Promise<void>;

  constructor(
    readonly name: string,
    private readonly opts: WebhookTargetOptions,
  ) {
    this.spool = new Spool(opts.spoolDir);
    this.pump = this.deliverLoop();
  }

  enqueue(entry: AuditEntry): void {
    if (this.closed) return;
    this.total++;
    if (this.incoming.length + this.spool.size >= this.opts.queueLimit) {
      // Refusing the newest keeps the oldest, already on disk, in order; the count shows the gap.
      this.dropped++;
      return;
    }
    this.incoming.push(JSON.stringify(entry));
    this.scheduleSpill();
  }

  stats(): TargetStats {
    return { name: this.name, type: this.type, total: this.total, failed: this.failed, pending: this.incoming.length + this.spool.size, dropped: this.dropped };
  }

  async close(): Promise<void> {
    this.closed = true;
    this.abort.abort();
    this.wake?.();
    while (this.spilling) await this.spilling;
    await this.pump;
  }

  /** One spill at a time; entries arriving meanwhile go into the next segment. */
  private scheduleSpill(): void {
    if (this.spilling) return;
    this.spilling = new Promise<void>((resolve) => setImmediate(resolve))
      .then(async () => {
        while (this.incoming.length) {
          const lines = this.incoming;
          this.incoming = [];
          try {
            await this.spool.append(lines);
          } catch {
            // The disk refused: keep them in memory and try again shortly (not past shutdown).
            this.incoming = [...lines, ...this.incoming];
            if (this.closed) return;
            await sleep(1000);
          }
          this.wake?.();
        }
      })
      .finally(() => {
        this.spilling = undefined;
      });
  }

  private async deliverLoop(): Promise<void> {
    let backoff = FIRST_RETRY_MS;
    while (!this.closed) {
      const batch = this.spool.head(this.opts.batchSize);
      if (batch.length === 0) {
        await new Promise<void>((resolve) => (this.wake = resolve));
        this.wake = undefined;
        continue;
      }
      if (await this.post(batch)) {
        await this.spool.remove(batch);
        backoff = FIRST_RETRY_MS;
      } else if (!this.closed) {
        this.failed += batch.reduce((n, s) => n + s.lines.length, 0);
        await new Promise<void>((resolve) => {
          const t = setTimeout(resolve, backoff);
          this.wake = () => {
            if (this.closed) {
              clearTimeout(t);
              resolve();
            }
          };
        });
        this.wake = undefined;
        backoff = Math.min(backoff * 2, this.opts.retryMaxMs);
      }
    }
  }

  private async post(batch: Segment[]): Promise<boolean> {
    const body = `[${batch.flatMap((s) => s.lines).join(',')}]`;
    try {
      const res = await fetch(this.opts.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(this.opts.authToken ? { authorization: `Bearer ${this.opts.authToken}` } : {}) },
        body,
        signal: AbortSignal.any([this.abort.signal, AbortSignal.timeout(this.opts.timeoutMs ?? 10_000)]),
      });
      await res.arrayBuffer().catch(() => undefined);
      return res.ok;
    } catch {
      return false;
    }
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
