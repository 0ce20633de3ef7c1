/**
 * `<drive>/.granary/format.json`: what makes a drive self-describing.
 *
 *   <drive>/
 *     .granary/
 *       format.json    this file: deployment, layout, this drive's identity, SHA-256 of the body
 *       meta.db        SQLite (WAL): buckets, object versions, multipart uploads, inline shards
 *       tmp/           staging; emptied at start
 *       multipart/     <uploadId>/part.N shards of uploads in progress
 *     data/<2 hex>/<dataDir>/part.N   shards of committed objects, framed in hashed blocks
 *
 * Version policy (as MinIO's xl.meta): `major` changes break readers and need
 * a migration; `minor` changes are informational. A reader refuses a major it
 * does not know rather than guess.
 */
import { createHash } from 'node:crypto';
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileDurably } from '../common/durable-file.js';
import { DriveError } from './drive-error.js';
import { onDrive } from './drive-looks.js';

export const FORMAT_MAJOR = 1;
export const FORMAT_MINOR = 0;
export const META_DIR = '.granary';
export const FORMAT_FILE = 'format.json';

export interface FormatBody {
  format: 'granary';
  major: number;
  minor: number;
  deploymentId: string;
  /** This drive's identity; survives being moved to another path or machine. */
  driveId: string;
  /** Every set's drive ids, in set order: the position of an id is its shard slot. */
  sets: string[][];
  parity: number;
  blockSize: number;
  createdAt: string;
}

export interface FormatFile {
  body: FormatBody;
  sha256: string;
}

export type FormatState =
  | { kind: 'blank' }
  | { kind: 'formatted'; body: FormatBody }
  | { kind: 'invalid'; reason: string };

function digest(body: FormatBody): string {
  return createHash('sha256').update(JSON.stringify(body)).digest('hex');
}

/**
 * Off the main thread and under a deadline (DriveError 'timeout' after `ms`):
 * a disk that hangs when the engine starts, or when a folder is offered as a
 * drive, is an offline drive, not a stopped engine. Any read error other
 * than absence is thrown, since a failing disk is not a blank one.
 */
export async function readFormat(drivePath: string, ms: number): Promise<FormatState> {
  const file = join(drivePath, META_DIR, FORMAT_FILE);
  const text = await onDrive(drivePath, 'read', `reading ${FORMAT_FILE}`, ms, () => readFile(file, 'utf8').catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') return null;
    throw err;
  }));
  if (text === null) return { kind: 'blank' };
  let parsed: FormatFile;
  try {
    parsed = JSON.parse(text) as FormatFile;
  } catch (err) {
    return { kind: 'invalid', reason: `${file} is not valid JSON (${(err as Error).message})` };
  }
  if (!parsed || typeof parsed !== 'object' || !parsed.body || typeof parsed.sha256 !== 'string') {
    return { kind: 'invalid', reason: `${file} lacks its body or checksum` };
  }
  if (digest(parsed.body) !== parsed.sha256) {
    return { kind: 'invalid', reason: `${file} fails its SHA-256 check: it was altered or damaged` };
  }
  const b = parsed.body;
  if (b.format !== 'granary') return { kind: 'invalid', reason: `${file} is not a Granary format file` };
  if (b.major !== FORMAT_MAJOR) {
    return { kind: 'invalid', reason: `${file} has format version ${b.major}.${b.minor}; this Granary reads version ${FORMAT_MAJOR}` };
  }
  return { kind: 'formatted', body: b };
}

/** Durable (common/durable-file) and under a deadline, as readFormat. */
export function writeFormat(drivePath: string, body: FormatBody, ms: number): Promise<void> {
  return onDrive(drivePath, 'write', `writing ${FORMAT_FILE}`, ms, async () => {
    const dir = join(drivePath, META_DIR);
    await mkdir(dir, { recursive: true });
    const file: FormatFile = { body, sha256: digest(body) };
    await writeFileDurably(join(dir, FORMAT_FILE), JSON.stringify(file, null, 2) + '\n');
  });
}

export function assertFormatted(state: FormatState, drivePath: string): FormatBody {
  if (state.kind === 'formatted') return state.body;
  throw new DriveError('unformatted', `${drivePath}: ${state.kind === 'invalid' ? state.reason : 'not formatted'}`);
}
