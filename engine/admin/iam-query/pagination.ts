import { IamQueryError } from './errors.js';
import { optional } from './params.js';

const DEFAULT_MAX_ITEMS = 100;
const MAX_MAX_ITEMS = 1000;

export interface Page<T> {
  items: T[];
  /** The fields every IAM list result ends with. */
  fields: { IsTruncated: boolean; Marker?: string };
}

/**
 * Marker/MaxItems as IAM does them. Items are ordered by a sort key; the
 * marker is the last key returned (opaque to clients: base64url), so the next
 * page starts after it even when entities were added or removed in between.
 */
export function paginate<T>(form: URLSearchParams, items: T[], keyOf: (item: T) => string): Page<T> {
  const max = maxItems(form);
  const marker = optional(form, 'Marker');
  const after = marker === undefined ? undefined : Buffer.from(marker, 'base64url').toString('utf8');
  const sorted = items.map((item) => ({ item, key: keyOf(item) })).sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  const rest = after === undefined ? sorted : sorted.filter((e) => e.key > after);
  const page = rest.slice(0, max);
  const truncated = rest.length > max;
  return {
    items: page.map((e) => e.item),
    fields: truncated ? { IsTruncated: true, Marker: Buffer.from(page[page.length - 1].key, 'utf8').toString('base64url') } : { IsTruncated: false },
  };
}

function maxItems(form: URLSearchParams): number {
  const v = optional(form, 'MaxItems');
  if (v === undefined) return DEFAULT_MAX_ITEMS;
  const n = /^\d{1,5}$/.test(v) ? Number(v) : NaN;
  if (!(n >= 1 && n <= MAX_MAX_ITEMS)) throw new IamQueryError('ValidationError', `MaxItems must be an integer from 1 to ${MAX_MAX_ITEMS} (got ${JSON.stringify(v)}).`);
  return n;
}
