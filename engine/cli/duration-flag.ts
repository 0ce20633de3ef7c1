import { UsageError } from './args.js';

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** A server flag's duration: `500ms`, `2s`, `15m`, `1h30m`; a bare number is milliseconds. */
export function parseDurationFlag(flag: string, text: string): number {
  if (/^\d+$/.test(text)) return positive(flag, text, Number(text));
  if (!/^(?:\d+(?:ms|s|m|h))+$/.test(text)) throw new UsageError(`--${flag} ${JSON.stringify(text)} is not a duration (500ms, 2s, 15m, 1h)`);
  let ms = 0;
  for (const [, n, unit] of text.matchAll(/(\d+)(ms|s|m|h)/g)) ms += Number(n) * UNIT_MS[unit];
  return positive(flag, text, ms);
}

function positive(flag: string, text: string, ms: number): number {
  if (ms <= 0) throw new UsageError(`--${flag} ${text} is no time at all`);
  return ms;
}
