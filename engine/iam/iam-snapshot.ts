import { createHash } from 'node:crypto';
import type { SystemStore } from '../object/object-layer.js';
import { seal, unseal } from '../crypto/seal.js';
import type { WrappedKey } from '../crypto/master-key.js';
import type { StoredEntity } from './iam-db.js';

/**
 * The copy of IAM that lives on the drives: every row (secrets already
 * sealed) sealed once more as a whole under the master key, with a SHA-256
 * of the sealed bytes so a damaged copy is told apart from a wrong key.
 * Beside it, the master key wrapped under the root password. Together they
 * rebuild a lost config directory.
 */
const SNAPSHOT = 'iam/snapshot.json';
const WRAPPED_KEY = 'iam/master-key.json';
const CONTEXT = 'granary iam snapshot';

export interface Snapshot {
  generation: number;
  entities: StoredEntity[];
}

export class SnapshotError extends Error {
  override name = 'SnapshotError';
}

export async function writeSnapshot(store: SystemStore, key: Buffer, snapshot: Snapshot): Promise<void> {
  const sealed = seal(key, Buffer.from(JSON.stringify({ format: 1, ...snapshot }), 'utf8'), CONTEXT);
  const doc = { format: 1, generation: snapshot.generation, sha256: createHash('sha256').update(sealed).digest('hex'), sealed: sealed.toString('base64') };
  await store.putSystemObject(SNAPSHOT, Buffer.from(JSON.stringify(doc), 'utf8'));
}

export async function readSnapshot(store: SystemStore, key: Buffer): Promise<Snapshot | undefined> {
  const raw = await store.getSystemObject(SNAPSHOT);
  if (!raw) return undefined;
  let doc: { sha256?: unknown; sealed?: unknown };
  try {
    doc = JSON.parse(raw.toString('utf8'));
  } catch {
    throw new SnapshotError('the IAM snapshot on the drives is not valid JSON');
  }
  if (typeof doc.sealed !== 'string' || typeof doc.sha256 !== 'string') throw new SnapshotError('the IAM snapshot on the drives lacks its fields');
  const sealed = Buffer.from(doc.sealed, 'base64');
  if (createHash('sha256').update(sealed).digest('hex') !== doc.sha256) throw new SnapshotError('the IAM snapshot on the drives fails its SHA-256 check');
  const body = JSON.parse(unseal(key, sealed, CONTEXT).toString('utf8')) as Snapshot;
  return { generation: body.generation, entities: body.entities };
}

export async function writeWrappedKey(store: SystemStore, wrapped: WrappedKey): Promise<void> {
  await store.putSystemObject(WRAPPED_KEY, Buffer.from(JSON.stringify(wrapped), 'utf8'));
}

export async function readWrappedKey(store: SystemStore): Promise<WrappedKey | undefined> {
  const raw = await store.getSystemObject(WRAPPED_KEY);
  if (!raw) return undefined;
  try {
    return JSON.parse(raw.toString('utf8')) as WrappedKey;
  } catch {
    throw new SnapshotError('the wrapped master key on the drives is not valid JSON');
  }
}
