import { compareKeys, prefixUpperBound } from '../common/key-order.js';
import type { RawListRow } from './meta-read.js';

/** Listing by common prefixes: the listing's prefix and delimiter, as S3 takes them. */
export interface CommonPrefixes { prefix: string; delimiter: string }

/** A scan's rows, and where the next scan starts (null: the drive has nothing more in range). */
export interface ScanResult { rows: RawListRow[]; next: string | null }

/**
 * Up to `limit` rows of one drive's `objects` index from `from` (inclusive)
 * to `to` (exclusive; null: no bound), in key order. With `common` set, each
 * common prefix stops at its first live row: that row carries `skipTo`, the
 * end of its prefix, and the scan goes on from there. A delimiter listing of
 * a thousand folders is then one query to the drive's thread rather than a
 * thousand; the rows it skipped are never needed to list the prefix, and a
 * reader that must know of them (the drives disagree) reads the key itself.
 */
export function scanRows(
  query: (from: string, limit: number) => Iterable<RawListRow>,
  from: string,
  to: string | null,
  limit: number,
  common?: CommonPrefixes,
): ScanResult {
  const rows: RawListRow[] = [];
  let cur = from;
  while (rows.length < limit) {
    const asked = limit - rows.length;
    let got = 0;
    let jump: string | null | undefined;
    for (const row of query(cur, asked)) {
      got++;
      rows.push(row);
      const cut = common && !row.deleted ? row.key.indexOf(common.delimiter, common.prefix.length) : -1;
      if (cut >= 0) {
        // Leaving the loop closes the statement's iterator: rows past this one are not read.
        jump = prefixUpperBound(row.key.slice(0, cut + common!.delimiter.length));
        row.skipTo = jump;
        break;
      }
    }
    if (jump === undefined) return { rows, next: got < asked ? null : rows[rows.length - 1].key + '\u0000' };
    if (jump === null || (to !== null && compareKeys(jump, to) >= 0)) return { rows, next: null };
    cur = jump;
  }
  return { rows, next: cur };
}
