import { UsageError } from './args.js';

const UNIT_MS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/**
 * `--expiry` for a service account: an ISO 8601 date (`2026-01-31`,
 * `2026-01-31T12:00:00Z`) or a duration from now (`30d`, `12h`, `1w2d`, `90m`),
 * returned as the ISO date the API takes. A past date is left for the server
 * to refuse, so the rule lives in one place.
 */
export function parseExpiry(text: string, now = Date.now()): string {
  const duration = /^(?:\d+[smhdw])+$/.test(text);
  if (duration) {
    let ms = 0;
    for (const [, n, unit] of text.matchAll(/(\d+)([smhdw])/g)) ms += Number(n) * UNIT_MS[unit];
    if (ms <= 0) throw new UsageError(`--expiry ${text} is no time at all`);
    return new Date(now + ms).toISOString();
  }
  if (/^\d{4}-\d{2}-\d{2}(?:T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?$/.test(text)) {
    const at = Date.parse(text);
    if (!Number.isNaN(at)) return new Date(at).toISOString();
  }
  throw new UsageError(`--expiry ${JSON.stringify(text)} is neither an ISO 8601 date (2026-01-31T12:00:00Z) nor a duration (30d, 12h, 1w2d)`);
}
