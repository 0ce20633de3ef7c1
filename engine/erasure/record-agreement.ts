import type { VersionRecord } from '../drive/records.js';
import type { CensusEntry } from './version-census.js';

/**
 * The record most holders of one version agree on, and the slots whose row
 * says something else: a metadata-only change (tags, a metadata directive)
 * that reached its write quorum but missed a drive, or failed its quorum and
 * stayed on a few. A write quorum is a majority, so the majority row is what
 * was acknowledged. A tie decides nothing: no outliers then.
 */
export function agreedRecord(entry: CensusEntry): { record: VersionRecord; outliers: number[] } {
  const groups = new Map<string, { record: VersionRecord; slots: number[] }>();
  entry.records.forEach((record, slot) => {
    if (!record) return;
    const text = canonical(record);
    const g = groups.get(text);
    if (g) g.slots.push(slot);
    else groups.set(text, { record, slots: [slot] });
  });
  const ranked = [...groups.values()].sort((a, b) => b.slots.length - a.slots.length);
  if (ranked.length <= 1 || ranked[0].slots.length === ranked[1].slots.length) return { record: entry.record, outliers: [] };
  return { record: ranked[0].record, outliers: ranked.slice(1).flatMap((g) => g.slots).sort((a, b) => a - b) };
}

/** JSON with object keys sorted, so two rows that say the same thing compare equal whatever order wrote them. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object') {
    return `{${Object.keys(value).sort().map((k) => `${JSON.stringify(k)}:${canonical((value as Record<string, unknown>)[k])}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}
