import { collectDefaultMetrics, Registry } from 'prom-client';
import type { RequestRecord } from '../common/request-record.js';
import { registerAuditMetrics, type AuditDelivery } from './audit-metrics.js';
import { registerLdapSyncMetrics, type LdapSyncCounts } from './ldap-sync-metrics.js';
import { registerAccessPluginMetrics, type AccessPluginCounts } from './plugin-metrics.js';
import { RequestMetrics } from './request-metrics.js';
import { registerStorageMetrics, type StorageSource } from './storage-metrics.js';

export interface MetricsSources {
  storage: StorageSource;
  /** Audit delivery per target; absent when the engine has no audit log. */
  auditTargets?: () => AuditDelivery[];
  /** The access plugin's decision counts; absent when none is configured. */
  accessPlugin?: () => AccessPluginCounts;
  /** The LDAP sync's runs; absent without LDAP. */
  ldapSync?: () => LdapSyncCounts;
}

/**
 * Every metric of the engine in one registry of its own (not prom-client's
 * global one, so two engines in one process, as in tests, never mix), all
 * named `granary_…`. Requests are counted as they are answered (`observe`);
 * everything else is read when Prometheus scrapes.
 */
export class GranaryMetrics {
  readonly registry = new Registry();
  private readonly requests: RequestMetrics;

  constructor(sources: MetricsSources) {
    // Process memory, CPU, file descriptors, event-loop lag, GC: prom-client's defaults, prefixed.
    collectDefaultMetrics({ register: this.registry, prefix: 'granary_' });
    this.requests = new RequestMetrics(this.registry);
    registerStorageMetrics(this.registry, sources.storage);
    if (sources.auditTargets) registerAuditMetrics(this.registry, sources.auditTargets);
    if (sources.accessPlugin) registerAccessPluginMetrics(this.registry, sources.accessPlugin);
    if (sources.ldapSync) registerLdapSyncMetrics(this.registry, sources.ldapSync);
  }

  observe(record: RequestRecord): void {
    this.requests.observe(record);
  }

  async exposition(): Promise<{ text: string; contentType: string }> {
    return { text: await this.registry.metrics(), contentType: this.registry.contentType };
  }
}
