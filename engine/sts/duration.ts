import { StsError } from './sts-error.js';

/** AWS's floor; a lab may lower it (`--sts-min-duration`) to see credentials expire in a test. */
export const DEFAULT_MIN_DURATION = 900;
export const DEFAULT_DURATION = 3600;
export const DEFAULT_MAX_DURATION = 12 * 3600;
export const MAX_MAX_DURATION = 365 * 24 * 3600;

export interface DurationLimits {
  min: number;
  max: number;
}

/** DurationSeconds as the request gives it: absent → 3600 s (or the maximum when that is lower), else an integer within the limits. */
export function sessionDuration(text: string | null, limits: DurationLimits): number {
  if (text === null || text === '') return Math.max(limits.min, Math.min(DEFAULT_DURATION, limits.max));
  if (!/^\d{1,10}$/.test(text)) throw new StsError('ValidationError', `1 validation error detected: Value '${text.slice(0, 32)}' at 'durationSeconds' failed to satisfy constraint: Member must be a whole number of seconds.`);
  const n = Number(text);
  if (n < limits.min) throw new StsError('ValidationError', `1 validation error detected: Value '${n}' at 'durationSeconds' failed to satisfy constraint: Member must have value greater than or equal to ${limits.min}.`);
  if (n > limits.max) throw new StsError('ValidationError', `The requested DurationSeconds exceeds the maximum session duration of this server (${limits.max} s).`);
  return n;
}

/** A duration flag: seconds, or a number with s, m, h or d. */
export function parseDurationText(text: string): number | undefined {
  const m = /^(\d{1,9})([smhd]?)$/.exec(text.trim());
  if (!m) return undefined;
  return Number(m[1]) * { '': 1, s: 1, m: 60, h: 3600, d: 86400 }[m[2] as '' | 's' | 'm' | 'h' | 'd'];
}
