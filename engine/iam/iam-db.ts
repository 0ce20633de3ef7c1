import { createHmac, timingSafeEqual } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { sealText, unsealText } from '../crypto/seal.js';
import { emptyState, type BucketPolicyRecord, type EntityKind, type GroupRecord, type IamState, type MfaRecord, type PolicyRecord, type ServiceAccountRecord, type SessionRecord, type UserRecord } from './records.js';

/**
 * IAM on disk: `granary.db` in the config directory. Each row is a JSON body
 * whose secrets are sealed under the master key, and carries an HMAC-SHA256
 * (keyed by the master key) over kind, id and body; a state MAC over every
 * row's MAC and the generation catches deleted or re-inserted rows too. So a
 * hand-edited database is detected at start, not trusted.
 */
export class IamIntegrityError extends Error {
  override name = 'IamIntegrityError';
}

export interface StoredEntity {
  kind: EntityKind;
  id: string;
  /** JSON with secrets sealed. */
  body: string;
}

export type Change = { kind: EntityKind; id: string; record: object | null };

const SCHEMA = `
CREATE TABLE IF NOT EXISTS entities (kind TEXT NOT NULL, id TEXT NOT NULL, body TEXT NOT NULL, mac TEXT NOT NULL, PRIMARY KEY (kind, id)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
`;

/** Which fields of which record are secret, sealed with a context naming their row. */
const SECRET_FIELDS: Partial<Record<EntityKind, string[][]>> = {
  user: [['secretKey']],
  svcacct: [['secretKey']],
  mfa: [['secret']],
  secret: [['value']],
  sts: [['secretKey']],
};

export class IamDb {
  private readonly db: Database.Database;
  private generation = 0;

  constructor(readonly file: string, private readonly key: Buffer) {
    const fresh = !existsSync(file);
    mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
    this.db = new Database(file);
    if (fresh) chmodSync(file, 0o600);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = FULL');
    this.db.exec(SCHEMA);
  }

  get currentGeneration(): number {
    return this.generation;
  }

  isEmpty(): boolean {
    return (this.db.prepare('SELECT count(*) AS n FROM meta').get() as { n: number }).n === 0;
  }

  /** Reads and verifies every row; throws IamIntegrityError naming the first bad one. */
  load(): IamState {
    const state = emptyState();
    if (this.isEmpty()) return state;
    const rows = this.db.prepare('SELECT kind, id, body, mac FROM entities ORDER BY kind, id').all() as (StoredEntity & { mac: string })[];
    for (const r of rows) {
      if (!this.sameMac(r.mac, this.rowMac(r))) throw new IamIntegrityError(`${this.file}: the ${r.kind} ${JSON.stringify(r.id)} fails its integrity check (edited outside Granary?)`);
    }
    const meta = new Map((this.db.prepare('SELECT name, value FROM meta').all() as { name: string; value: string }[]).map((m) => [m.name, m.value]));
    const generation = Number(meta.get('generation'));
    if (!Number.isInteger(generation) || !this.sameMac(meta.get('state-mac') ?? '', this.stateMac(rows, generation))) {
      throw new IamIntegrityError(`${this.file}: the set of IAM rows fails its integrity check (rows added or removed outside Granary?)`);
    }
    this.generation = generation;
    for (const r of rows) addToState(state, r.kind, JSON.parse(this.openSecrets(r)));
    return state;
  }

  /** Applies changes in one transaction and bumps the generation. */
  apply(changes: Change[]): void {
    const put = this.db.prepare('INSERT OR REPLACE INTO entities (kind, id, body, mac) VALUES (?, ?, ?, ?)');
    const del = this.db.prepare('DELETE FROM entities WHERE kind = ? AND id = ?');
    this.db.transaction(() => {
      for (const c of changes) {
        if (c.record === null) {
          del.run(c.kind, c.id);
        } else {
          const body = this.sealSecrets(c.kind, c.id, c.record);
          put.run(c.kind, c.id, body, this.rowMac({ kind: c.kind, id: c.id, body }));
        }
      }
      this.generation += 1;
      this.writeStateMac();
    })();
  }

  /** Rows as stored (secrets sealed), for the encrypted snapshot on the drives. */
  exportEntities(): StoredEntity[] {
    return this.db.prepare('SELECT kind, id, body FROM entities ORDER BY kind, id').all() as StoredEntity[];
  }

  /** Replaces everything with a snapshot's rows (sealed under this same master key). */
  importEntities(entities: StoredEntity[], generation: number): IamState {
    const put = this.db.prepare('INSERT INTO entities (kind, id, body, mac) VALUES (?, ?, ?, ?)');
    this.db.transaction(() => {
      this.db.exec('DELETE FROM entities; DELETE FROM meta;');
      for (const e of entities) put.run(e.kind, e.id, e.body, this.rowMac(e));
      this.generation = generation;
      this.writeStateMac();
    })();
    return this.load();
  }

  close(): void {
    this.db.close();
  }

  private writeStateMac(): void {
    const rows = this.db.prepare('SELECT kind, id, body, mac FROM entities ORDER BY kind, id').all() as (StoredEntity & { mac: string })[];
    const set = this.db.prepare('INSERT OR REPLACE INTO meta (name, value) VALUES (?, ?)');
    set.run('generation', String(this.generation));
    set.run('state-mac', this.stateMac(rows, this.generation));
  }

  private rowMac(e: StoredEntity): string {
    return createHmac('sha256', this.key).update(`row\0${e.kind}\0${e.id}\0${e.body}`).digest('hex');
  }

  private stateMac(rows: { kind: string; id: string; mac: string }[], generation: number): string {
    const h = createHmac('sha256', this.key).update(`state\0${generation}\n`);
    for (const r of rows) h.update(`${r.kind}\0${r.id}\0${r.mac}\n`);
    return h.digest('hex');
  }

  private sameMac(a: string, b: string): boolean {
    return a.length === b.length && timingSafeEqual(Buffer.from(a), Buffer.from(b));
  }

  private sealSecrets(kind: EntityKind, id: string, record: object): string {
    const copy = structuredClone(record) as Record<string, unknown>;
    for (const path of SECRET_FIELDS[kind] ?? []) {
      const parent = walk(copy, path.slice(0, -1));
      const field = path[path.length - 1];
      if (parent && typeof parent[field] === 'string') parent[field] = { sealed: sealText(this.key, parent[field] as string, `${kind}/${id}/${path.join('.')}`) };
    }
    return JSON.stringify(copy);
  }

  private openSecrets(e: StoredEntity): string {
    const copy = JSON.parse(e.body) as Record<string, unknown>;
    for (const path of SECRET_FIELDS[e.kind] ?? []) {
      const parent = walk(copy, path.slice(0, -1));
      const field = path[path.length - 1];
      const v = parent?.[field] as { sealed?: string } | undefined;
      if (v && typeof v.sealed === 'string') parent![field] = unsealText(this.key, v.sealed, `${e.kind}/${e.id}/${path.join('.')}`);
    }
    return JSON.stringify(copy);
  }
}

function walk(obj: Record<string, unknown>, path: string[]): Record<string, unknown> | undefined {
  let cur: unknown = obj;
  for (const p of path) cur = cur && typeof cur === 'object' ? (cur as Record<string, unknown>)[p] : undefined;
  return cur && typeof cur === 'object' ? (cur as Record<string, unknown>) : undefined;
}

function addToState(state: IamState, kind: EntityKind, record: unknown): void {
  switch (kind) {
    case 'user': { const r = record as UserRecord; state.users.set(r.name, r); break; }
    case 'group': { const r = record as GroupRecord; state.groups.set(r.name, r); break; }
    case 'policy': { const r = record as PolicyRecord; state.policies.set(r.name, r); break; }
    case 'svcacct': { const r = record as ServiceAccountRecord; state.serviceAccounts.set(r.accessKey, r); break; }
    case 'bucket-policy': { const r = record as BucketPolicyRecord; state.bucketPolicies.set(r.bucket, r); break; }
    case 'mfa': { const r = record as MfaRecord; state.mfa.set(r.name, r); break; }
    case 'setting': { const r = record as { name: string; value: string }; state.settings.set(r.name, r.value); break; }
    case 'secret': { const r = record as { name: string; value: string }; state.secrets.set(r.name, r.value); break; }
    case 'sts': { const r = record as SessionRecord; state.sessions.set(r.accessKey, r); break; }
  }
}
