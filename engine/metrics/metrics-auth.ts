/**
 * How a scrape proves it may read the metrics: `jwt` (the default) needs a
 * bearer token from `granary admin prometheus-token`; `public` lets anyone
 * who can reach the port read them (a closed network, or a proxy in front).
 */
export type MetricsAuthMode = 'jwt' | 'public';

export const METRICS_AUTH_MODES: readonly MetricsAuthMode[] = ['jwt', 'public'];

export function isMetricsAuthMode(text: string): text is MetricsAuthMode {
  return (METRICS_AUTH_MODES as readonly string[]).includes(text);
}
