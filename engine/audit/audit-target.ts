import type { AuditEntry } from './audit-entry.js';

export type TargetType = 'file' | 'console' | 'webhook';

/** Delivery counts of one target, for `GET /granary/v1/audit` and the metrics. */
export interface TargetStats {
  name: string;
  type: TargetType;
  /** Entries handed to the target since the engine started. */
  total: number;
  /** Entries in delivery attempts that failed (an entry retried three times counts three). */
  failed: number;
  /** Entries queued and not yet delivered (for a webhook: in memory and on disk). */
  pending: number;
  /** Entries thrown away because the queue was full. */
  dropped: number;
}

/**
 * Where entries go. `enqueue` must return at once: it runs on the request
 * path, so a target only queues and delivers later.
 */
export interface AuditTarget {
  readonly name: string;
  readonly type: TargetType;
  enqueue(entry: AuditEntry): void;
  stats(): TargetStats;
  /** Delivers (or spills to disk) what is queued, then stops. */
  close(): Promise<void>;
}
