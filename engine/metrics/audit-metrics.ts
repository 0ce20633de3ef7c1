import { Counter, Gauge, type Registry } from 'prom-client';

/** One audit target's delivery counts, as the audit log reports them (`AuditLog.targetStats()`). */
export interface AuditDelivery {
  name: string;
  type: string;
  total: number;
  failed: number;
  pending: number;
  dropped: number;
}

/**
 * Audit delivery per target, read from the audit log at each scrape, so a
 * failing target can raise an alert. The audit log is passed in as a
 * function: metrics never imports it.
 */
export function registerAuditMetrics(registry: Registry, stats: () => AuditDelivery[]): void {
  const registers = [registry];
  const labelNames = ['target', 'type'] as const;
  // The counts live in the audit targets; these counters mirror them.
  const mirror = (name: string, help: string, field: 'total' | 'failed' | 'dropped') =>
    new Counter({
      name, help, labelNames, registers,
      collect() {
        this.reset();
        for (const t of stats()) this.inc({ target: t.name, type: t.type }, t[field]);
      },
    });
  mirror('granary_audit_entries_total', 'Audit entries handed to the target since the start.', 'total');
  mirror('granary_audit_failed_total', 'Audit entries in delivery attempts that failed (a retried entry counts each time).', 'failed');
  mirror('granary_audit_dropped_total', 'Audit entries thrown away because the target\'s queue was full.', 'dropped');
  new Gauge({
    name: 'granary_audit_pending', help: 'Audit entries queued for the target and not yet delivered.', labelNames, registers,
    collect() {
      this.reset();
      for (const t of stats()) this.set({ target: t.name, type: t.type }, t.pending);
    },
  });
}
