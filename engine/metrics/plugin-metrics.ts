import { Counter, type Registry } from 'prom-client';

/** The access plugin's counts, as `AccessPlugin.stats()` reports them (passed in: metrics never imports iam). */
export interface AccessPluginCounts {
  mode: string;
  allowed: number;
  denied: number;
  failures: Record<string, number>;
}

/**
 * Decisions of the external access plugin (OPA or override), read at each
 * scrape. Failures (timeouts, refused connections, bad statuses, malformed
 * answers) each denied a request: alert on their rate.
 */
export function registerAccessPluginMetrics(registry: Registry, stats: () => AccessPluginCounts): void {
  const registers = [registry];
  new Counter({
    name: 'granary_access_plugin_decisions_total', help: 'Authorization questions the access plugin answered, by answer.', labelNames: ['mode', 'result'], registers,
    collect() {
      this.reset();
      const s = stats();
      this.inc({ mode: s.mode, result: 'allow' }, s.allowed);
      this.inc({ mode: s.mode, result: 'deny' }, s.denied);
    },
  });
  new Counter({
    name: 'granary_access_plugin_failures_total', help: 'Authorization questions the access plugin gave no usable answer to (each denied its request), by reason.', labelNames: ['mode', 'reason'], registers,
    collect() {
      this.reset();
      const s = stats();
      for (const [reason, n] of Object.entries(s.failures)) this.inc({ mode: s.mode, reason }, n);
    },
  });
}
