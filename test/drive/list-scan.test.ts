import assert from 'node:assert/strict';
import { test } from 'node:test';
import Database from 'better-sqlite3';
import { ListRows, type IndexRow } from '../../engine/drive/list-rows.js';
import { scanRows } from '../../engine/drive/list-scan.js';

/** A real SQLite index with the drive's ordering (BINARY: UTF-8 bytes), queried as the reader thread does. */
function index(rows: [string, boolean][]) {
  const db = new Database(':memory:');
  db.exec('CREATE TABLE objects (key TEXT PRIMARY KEY, version_id TEXT, mtime INTEGER, size INTEGER, etag TEXT, deleted INTEGER) WITHOUT ROWID');
  const insert = db.prepare("INSERT INTO objects VALUES (?, 'v', 0, 0, '', ?)");
  for (const [key, deleted] of rows) insert.run(key, deleted ? 1 : 0);
  const from = db.prepare('SELECT key, version_id, mtime, size, etag, deleted FROM objects WHERE key >= ? ORDER BY key LIMIT ?').raw();
  const fromTo = db.prepare('SELECT key, version_id, mtime, size, etag, deleted FROM objects WHERE key >= ? AND key < ? ORDER BY key LIMIT ?').raw();
  let queries = 0;
  return {
    queries: () => queries,
    query: (to: string | null) => (start: string, limit: number) => {
      queries++;
      return (to === null ? from.all(start, limit) : fromTo.all(start, to, limit)) as IndexRow[];
    },
  };
}

/** Each row's key, with where the scan went on after it when it passed over keys; read back through ListRows. */
function keys(packed: string): string[] {
  const rows = new ListRows(packed);
  return Array.from({ length: rows.length }, (_, i) => {
    const skip = rows.skipTo(i);
    return skip === undefined ? rows.key(i) : `${rows.key(i)}→${skip ?? 'end'}`;
  });
}

test('without a delimiter: rows in order up to the limit, and where the next scan starts', () => {
  const ix = index([['a', false], ['b', true], ['c', false]]);
  const first = scanRows(ix.query(null), '', null, 2);
  assert.deepEqual(keys(first.rows), ['a', 'b']);
  assert.equal(first.next, 'b\u0000');
  const rest = scanRows(ix.query(null), first.next!, null, 2);
  assert.deepEqual(keys(rest.rows), ['c']);
  assert.equal(rest.next, null, 'fewer rows than asked: nothing more');
});

test('with a delimiter: each common prefix stops at its first live row, tombstones before it included', () => {
  const ix = index([
    ['a/1', true], ['a/2', false], ['a/3', false], ['b', false], ['c/x/1', false], ['c/y', false], ['d/1', true], ['e/1', false],
  ]);
  const all = scanRows(ix.query(null), '', null, 100, { prefix: '', delimiter: '/' });
  assert.deepEqual(keys(all.rows), ['a/1', 'a/2→a0', 'b', 'c/x/1→c0', 'd/1', 'e/1→e0']);
  assert.equal(all.next, null);
  // Under a prefix the delimiter is looked for after it, as S3 does.
  const under = scanRows(ix.query('d'), 'c/', 'd', 100, { prefix: 'c/', delimiter: '/' });
  assert.deepEqual(keys(under.rows), ['c/x/1→c/x0', 'c/y']);
  assert.equal(under.next, null);
});

test('the limit counts rows: a page that ends on a skip goes on after the prefix', () => {
  const ix = index([['a/1', false], ['a/2', false], ['b/1', false], ['b/2', false], ['c', false]]);
  const first = scanRows(ix.query(null), '', null, 1, { prefix: '', delimiter: '/' });
  assert.deepEqual(keys(first.rows), ['a/1→a0']);
  assert.equal(first.next, 'a0', 'the next scan starts past a/, not at a/2');
  const second = scanRows(ix.query(null), first.next!, null, 2, { prefix: '', delimiter: '/' });
  assert.deepEqual(keys(second.rows), ['b/1→b0', 'c']);
  assert.equal(second.next, 'c\u0000', 'a full page cannot tell that nothing follows');
  assert.deepEqual(scanRows(ix.query(null), second.next!, null, 2, { prefix: '', delimiter: '/' }), { rows: '', next: null });
});

test('a skip past the upper bound, or past every key, ends the scan', () => {
  const ix = index([['p/a/1', false], ['p/a/2', false], ['p/b', false], ['q', false]]);
  const bounded = scanRows(ix.query('p/a0'), 'p/', 'p/a0', 100, { prefix: 'p/', delimiter: '/' });
  assert.deepEqual(keys(bounded.rows), ['p/a/1→p/a0']);
  assert.equal(bounded.next, null, 'the skip reached the upper bound');
  assert.equal(ix.queries(), 1, 'and no query was made past it');
  const top = '\u{10FFFF}';
  const ix2 = index([[`${top}/1`, false], [`${top}/2`, false]]);
  const end = scanRows(ix2.query(null), '', null, 100, { prefix: '', delimiter: '/' });
  // The prefix "U+10FFFF/" has an upper bound ("U+10FFFF0"); only a prefix of nothing but U+10FFFF has none.
  assert.deepEqual(keys(end.rows), [`${top}/1→${top}0`]);
  assert.equal(end.next, null, 'nothing in the index after the prefix');
  const ix3 = index([[`${top}${top}`, false], [`${top}${top}${top}`, false]]);
  const none = scanRows(ix3.query(null), '', null, 100, { prefix: '', delimiter: top });
  assert.deepEqual(keys(none.rows), [`${top}${top}→end`], 'a common prefix with no upper bound skips to the end');
  assert.equal(none.next, null);
});

test('one scan per common prefix, not per row', () => {
  const rows: [string, boolean][] = [];
  for (let f = 0; f < 50; f++) for (let i = 0; i < 20; i++) rows.push([`f${String(f).padStart(2, '0')}/${i}`, false]);
  const ix = index(rows);
  const r = scanRows(ix.query(null), '', null, 1000, { prefix: '', delimiter: '/' });
  assert.equal(new ListRows(r.rows).length, 50);
  assert.equal(ix.queries(), 51, 'one query per folder, and the last that finds nothing');
});

test('a packed row reads back every field, keys with any character but NUL included', () => {
  const key = 'a\u0001b/😀/\uE000 "<&>"';
  const rows = new ListRows(scanRows(() => [[key, 'v-1', 1_700_000_000_123, 5_000_000_000, '"abc-2"', 1]] as IndexRow[], '', null, 5).rows);
  assert.equal(rows.length, 1);
  assert.deepEqual([rows.key(0), rows.versionId(0), rows.mtime(0), rows.size(0), rows.etag(0), rows.deleted(0), rows.skipTo(0)], [key, 'v-1', 1_700_000_000_123, 5_000_000_000, '"abc-2"', true, undefined]);
  assert.equal(new ListRows('').length, 0);
});
