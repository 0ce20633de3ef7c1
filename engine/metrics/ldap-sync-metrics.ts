import { Counter, Gauge, type Registry } from 'prom-client';

/** The LDAP sync's counts, as `LdapSync.stats()` reports them (passed in: metrics never imports iam). */
export interface LdapSyncCounts {
  successes: number;
  failures: number;
  revokedSessions: number;
  removedServiceAccounts: number;
  lastDurationMs?: number;
  lastSuccess?: number;
}

/** MinIO's IAM sync metrics for the directory: runs by outcome, last duration, last success, what was revoked. Read at scrape time. */
export function registerLdapSyncMetrics(registry: Registry, stats: () => LdapSyncCounts): void {
  const registers = [registry];
  new Counter({
    name: 'granary_ldap_sync_runs_total', help: 'LDAP sync runs by outcome (a failure revokes nothing).', labelNames: ['result'], registers,
    collect() {
      this.reset();
      const s = stats();
      this.inc({ result: 'success' }, s.successes);
      this.inc({ result: 'failure' }, s.failures);
    },
  });
  new Counter({
    name: 'granary_ldap_sync_revoked_total', help: 'Credentials the LDAP sync revoked (sessions) or removed (service accounts).', labelNames: ['kind'], registers,
    collect() {
      this.reset();
      const s = stats();
      this.inc({ kind: 'session' }, s.revokedSessions);
      this.inc({ kind: 'service_account' }, s.removedServiceAccounts);
    },
  });
  new Gauge({
    name: 'granary_ldap_sync_last_duration_seconds', help: 'How long the last LDAP sync run took.', registers,
    collect() {
      this.set((stats().lastDurationMs ?? 0) / 1000);
    },
  });
  new Gauge({
    name: 'granary_ldap_sync_last_success_timestamp_seconds', help: 'When the last LDAP sync run succeeded (Unix time; 0: never).', registers,
    collect() {
      this.set((stats().lastSuccess ?? 0) / 1000);
    },
  });
}
