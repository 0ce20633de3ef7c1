import { compareKeys, prefixUpperBound } from '../common/key-order.js';
import { packRows, type IndexRow } from './list-rows.js';

/** Listing by common prefixes: the listing's prefix and delimiter, as S3 takes them. */
export interface CommonPrefixes { prefix: string; delimiter: string }

/** A scan's rows (packed, list-rows.ts), and where the next scan starts (null: the drive has nothing more in range). */
export interface ScanResult { rows: string; next: string | null }

/**
 * Up to `limit` rows of one drive's `objects` index from `from` (inclusive)
 * to `to` (exclusive; null: no bound), in key order. With `common` set, each
 * common prefix stops at its first live row: that row carries a skip to the
 * end of its prefix, and the scan goes on from there. A delimiter listing of
 * a thousand folders is then one query to the drive's thread rather than a
 * thousand; the rows it skipped are never needed to list the prefix, and a
 * reader that must know of them (the drives disagree) reads the key itself.
 */
export function scanRows(
  query: (from: string, limit: number) => IndexRow[],
  from: string,
  to: string | null,
  limit: number,
  common?: CommonPrefixes,
): ScanResult {
  const rows: IndexRow[] = [];
  const skips = new Map<number, string | null>();
  let cur = from;
  // With common prefixes, a query past a skip asks for one row (a folder is usually one live row), and each that
  // reads on without a skip asks for twice as many, up to the rest of the page: rows a skip makes useless are few,
  // and a run of plain keys is still read in a few queries.
  let chunk = common ? 1 : limit;
  while (rows.length < limit) {
    const asked = Math.min(chunk, limit - rows.length);
    const got = query(cur, asked);
    let jump: string | null | undefined;
    for (const row of got) {
      rows.push(row);
      const cut = common && row[5] === 0 ? row[0].indexOf(common.delimiter, common.prefix.length) : -1;
      if (cut >= 0) {
        jump = prefixUpperBound(row[0].slice(0, cut + common!.delimiter.length));
        skips.set(rows.length - 1, jump);
        break;
      }
    }
    if (jump === undefined) {
      if (got.length < asked) return { rows: packRows(rows, skips), next: null };
      cur = `${rows[rows.length - 1][0]}\u0000`;
      chunk *= 2;
      continue;
    }
    if (jump === null || (to !== null && compareKeys(jump, to) >= 0)) return { rows: packRows(rows, skips), next: null };
    cur = jump;
    chunk = 1;
  }
  return { rows: packRows(rows, skips), next: cur };
}
