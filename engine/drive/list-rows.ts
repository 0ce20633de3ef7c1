/**
 * A drive's listing rows as they cross from its reader thread: one string,
 * the fields of each row joined by NUL (no key, version id or etag holds
 * one), FIELDS per row. A page is a thousand rows from each of four drives;
 * as objects, cloning them across threads and allocating them again cost
 * more than the queries. One string crosses as a copy, and the listing
 * reads the fields in place.
 */

/** An `objects` index row as the reader thread reads it (raw): key, version id, mtime, size, etag, deleted (0 or 1). */
export type IndexRow = [string, string, number, number, string, number];

const FIELDS = 7;
const SEP = '\u0000';

/**
 * One row's skip, encoded: '' none; '>' + key: the scan passed over the keys
 * after this row up to that key; '$': to the end (see list-scan.ts).
 */
function skipField(skipTo: string | null | undefined): string {
  return skipTo === undefined ? '' : skipTo === null ? '$' : `>${skipTo}`;
}

export function packRows(rows: readonly IndexRow[], skips: ReadonlyMap<number, string | null>): string {
  const out: (string | number)[] = [];
  rows.forEach((r, i) => out.push(r[0], r[1], r[2], r[3], r[4], r[5], skipField(skips.get(i))));
  return out.join(SEP);
}

/** The rows of a packed page, read where they lie. */
export class ListRows {
  private readonly f: string[];
  readonly length: number;

  constructor(packed: string) {
    this.f = packed === '' ? [] : packed.split(SEP);
    this.length = this.f.length / FIELDS;
  }

  key(i: number): string { return this.f[i * FIELDS]; }
  versionId(i: number): string { return this.f[i * FIELDS + 1]; }
  mtime(i: number): number { return Number(this.f[i * FIELDS + 2]); }
  size(i: number): number { return Number(this.f[i * FIELDS + 3]); }
  etag(i: number): string { return this.f[i * FIELDS + 4]; }
  deleted(i: number): boolean { return this.f[i * FIELDS + 5] === '1'; }

  /** Where the drive's scan went on after row i, when it passed over keys (null: to the end). */
  skipTo(i: number): string | null | undefined {
    const s = this.f[i * FIELDS + 6];
    return s === '' ? undefined : s === '$' ? null : s.slice(1);
  }
}
