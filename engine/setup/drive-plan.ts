import { accessSync, constants, readdirSync, statSync, statfsSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import type { SetupPreviewResponse } from '../api/console/types.js';
import { readFormat } from '../drive/format.js';
import { DeploymentError, setSizeFor } from '../erasure/deployment.js';

type DriveCheck = SetupPreviewResponse['perDrive'][number];

/** Entries a fresh filesystem already has: a mount point holding only these counts as empty. */
const FRESH_FS_ENTRIES = new Set(['lost+found', '.Trashes', '.Spotlight-V100', '.fseventsd', 'System Volume Information', '$RECYCLE.BIN']);

function nearestExisting(path: string): string {
  let p = path;
  while (!statSync(p, { throwIfNoEntry: false })) {
    const up = dirname(p);
    if (up === p) break;
    p = up;
  }
  return p;
}

/** The filesystem a folder is (or would be) on; undefined when nothing along the path can be read. */
function deviceAt(path: string): number | undefined {
  try {
    return statSync(nearestExisting(path)).dev;
  } catch {
    return undefined;
  }
}

function freeBytesAt(path: string): number {
  try {
    const st = statfsSync(nearestExisting(path));
    return st.bavail * st.bsize;
  } catch {
    return 0;
  }
}

/** Why a folder cannot become a new drive, or undefined. Read-only: nothing is created or formatted here. */
function driveProblem(path: string): string | undefined {
  const st = statSync(path, { throwIfNoEntry: false });
  if (!st) {
    const parent = nearestExisting(dirname(path));
    if (!statSync(parent).isDirectory()) return `${parent} is not a folder`;
    try {
      accessSync(parent, constants.W_OK);
    } catch {
      return `it does not exist and ${parent} is not writable, so it cannot be created`;
    }
    return undefined;
  }
  if (!st.isDirectory()) return 'it is a file, not a folder';
  try {
    accessSync(path, constants.W_OK | constants.X_OK);
  } catch {
    return 'it is not writable by the user Granary runs as';
  }
  const format = readFormat(path);
  if (format.kind === 'formatted') return `it already holds a drive of Granary deployment ${format.body.deploymentId}`;
  if (format.kind === 'invalid') return format.reason;
  const entries = readdirSync(path).filter((e) => !FRESH_FS_ENTRIES.has(e));
  if (entries.length > 0) return `it is not empty (${entries.length} item${entries.length === 1 ? '' : 's'}): choose an empty folder or a new one`;
  return undefined;
}

function checkDrives(drives: unknown[]): DriveCheck[] {
  const seen = new Set<string>();
  return drives.map((raw) => {
    if (typeof raw !== 'string' || raw.trim() === '') return { path: String(raw ?? ''), freeBytes: 0, ok: false, problem: 'no path given' };
    if (!isAbsolute(raw)) return { path: raw, freeBytes: 0, ok: false, problem: 'give the full path of the folder (it starts with / or a drive letter)' };
    const path = resolve(raw);
    const freeBytes = freeBytesAt(path);
    if (seen.has(path)) return { path, freeBytes, ok: false, problem: 'it is chosen twice' };
    seen.add(path);
    let problem: string | undefined;
    try {
      problem = driveProblem(path);
    } catch (err) {
      problem = `it cannot be read: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`;
    }
    if (!problem && freeBytes === 0) problem = 'its filesystem has no free space';
    return problem ? { path, freeBytes, ok: false, problem } : { path, freeBytes, ok: true };
  });
}

/**
 * The wizard's live preview and the setup's validation: the same rules the
 * engine applies when it formats (engine/erasure/deployment.ts), checked
 * without writing anything. Drives are grouped into sets in the order given,
 * as formatting does.
 */
export function planDrives(drives: unknown, parity: unknown): SetupPreviewResponse {
  const list = Array.isArray(drives) ? drives : [];
  const perDrive = checkDrives(list);
  // Folders on one filesystem share its free space: each gets its share, so the disk counts once.
  const devices = perDrive.map((d, i) => deviceAt(d.path) ?? `unknown ${i}`);
  const sharing = (i: number) => devices.filter((dev) => dev === devices[i]).length;
  const shareOf = perDrive.map((d, i) => d.freeBytes / sharing(i));
  const disks = new Set(devices).size;
  const rawBytes = Math.round(shareOf.reduce((a, b) => a + b, 0));
  const refuse = (error: string): SetupPreviewResponse => ({ ok: false, error, dataDrives: 0, parityDrives: 0, usableBytes: 0, rawBytes, disks, canLose: 0, perDrive });
  if (!Array.isArray(drives)) return refuse('drives must be a list of folder paths');
  let setSize: number;
  try {
    setSize = setSizeFor(list.length);
  } catch (err) {
    if (err instanceof DeploymentError) return refuse(err.message);
    throw err;
  }
  const maxParity = Math.floor(setSize / 2);
  if (typeof parity !== 'number' || !Number.isInteger(parity) || parity < 1 || parity > maxParity) {
    return refuse(`parity must be a whole number from 1 to ${maxParity} for sets of ${setSize} drives; ${JSON.stringify(parity)} given`);
  }
  const sets = list.length / setSize;
  const k = setSize - parity;
  let usableBytes = 0;
  for (let i = 0; i < list.length; i += setSize) {
    // Every drive of a set holds one shard of each object: the smallest share fills first.
    usableBytes += Math.floor(k * Math.min(...shareOf.slice(i, i + setSize)));
  }
  const bad = perDrive.filter((d) => !d.ok).length;
  return {
    ok: bad === 0,
    ...(bad > 0 ? { error: `${bad} of the ${list.length} drives cannot be used` } : {}),
    dataDrives: sets * k,
    parityDrives: sets * parity,
    usableBytes,
    rawBytes,
    disks,
    canLose: parity,
    perDrive,
  };
}
