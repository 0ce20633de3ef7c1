import type Database from 'better-sqlite3';

/**
 * The metadata DB of one drive. Listing scans `objects` only, so its rows stay
 * narrow (no record JSON, no shard bytes); full records live in `versions`
 * and inline shards in `inline_data`, a rowid table because large blobs bloat
 * WITHOUT ROWID b-trees.
 */
const SCHEMA_VERSION = 1;

const DDL = `
CREATE TABLE IF NOT EXISTS buckets (
  name TEXT PRIMARY KEY,
  created INTEGER NOT NULL
) WITHOUT ROWID;

CREATE TABLE IF NOT EXISTS objects (
  bucket TEXT NOT NULL,
  key TEXT NOT NULL,
  version_id TEXT NOT NULL,
  mtime INTEGER NOT NULL,
  size INTEGER NOT NULL,
  etag TEXT NOT NULL,
  deleted INTEGER NOT NULL,
  PRIMARY KEY (bucket, key)
) WITHOUT ROWID;

CREATE TABLE IF NOT EXISTS versions (
  bucket TEXT NOT NULL,
  key TEXT NOT NULL,
  version_id TEXT NOT NULL,
  current INTEGER NOT NULL,
  superseded_by TEXT,
  record TEXT NOT NULL,
  PRIMARY KEY (bucket, key, version_id)
) WITHOUT ROWID;

CREATE TABLE IF NOT EXISTS inline_data (
  id INTEGER PRIMARY KEY,
  bucket TEXT NOT NULL,
  key TEXT NOT NULL,
  version_id TEXT NOT NULL,
  data BLOB NOT NULL,
  UNIQUE (bucket, key, version_id)
);

CREATE TABLE IF NOT EXISTS uploads (
  bucket TEXT NOT NULL,
  key TEXT NOT NULL,
  upload_id TEXT NOT NULL,
  record TEXT NOT NULL,
  PRIMARY KEY (bucket, key, upload_id)
) WITHOUT ROWID;
CREATE UNIQUE INDEX IF NOT EXISTS uploads_by_id ON uploads (upload_id);

CREATE TABLE IF NOT EXISTS parts (
  upload_id TEXT NOT NULL,
  part_number INTEGER NOT NULL,
  record TEXT NOT NULL,
  PRIMARY KEY (upload_id, part_number)
) WITHOUT ROWID;
`;

export function openSchema(db: Database.Database): void {
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.pragma('busy_timeout = 5000');
  const version = db.pragma('user_version', { simple: true }) as number;
  if (version > SCHEMA_VERSION) {
    throw new Error(`metadata DB schema ${version} is newer than this Granary understands (${SCHEMA_VERSION})`);
  }
  db.exec(DDL);
  if (version < SCHEMA_VERSION) db.pragma(`user_version = ${SCHEMA_VERSION}`);
}
