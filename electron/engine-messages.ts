import type { EngineToHost, HealthSummary } from '../engine/api/host/types.js';

const str = (v: unknown): v is string => typeof v === 'string';
const num = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
const STATES = new Set<HealthSummary['state']>(['ok', 'degraded', 'read-only', 'offline']);

function healthSummary(v: unknown): HealthSummary | undefined {
  if (typeof v !== 'object' || v === null) return undefined;
  const h = v as Record<string, unknown>;
  if (!STATES.has(h.state as HealthSummary['state']) || !num(h.drivesOnline) || !num(h.drivesTotal) || !num(h.drivesHealing)) return undefined;
  if (!Array.isArray(h.problems) || !h.problems.every(str)) return undefined;
  return { state: h.state as HealthSummary['state'], drivesOnline: h.drivesOnline, drivesTotal: h.drivesTotal, drivesHealing: h.drivesHealing, problems: h.problems };
}

/**
 * A message from the engine process, checked: it crossed a process boundary,
 * and a half-updated engine must not crash the shell. Unknown shapes are undefined.
 */
export function parseEngineMessage(data: unknown): EngineToHost | undefined {
  if (typeof data !== 'object' || data === null) return undefined;
  const m = data as Record<string, unknown>;
  switch (m.type) {
    case 'ready':
      if (!str(m.consoleUrl)) return undefined;
      if (str(m.s3Url)) return { type: 'ready', s3Url: m.s3Url, consoleUrl: m.consoleUrl };
      if (str(m.setupUrl)) return { type: 'ready', setupUrl: m.setupUrl, consoleUrl: m.consoleUrl };
      return undefined;
    case 'health': {
      const summary = healthSummary(m.summary);
      return summary ? { type: 'health', summary } : undefined;
    }
    case 'error':
      return str(m.message) && typeof m.fatal === 'boolean' ? { type: 'error', message: m.message, fatal: m.fatal } : undefined;
    case 'stopped':
      return { type: 'stopped' };
    default:
      return undefined;
  }
}
