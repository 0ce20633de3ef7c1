import { access, constants, readdir, stat, statfs } from 'node:fs/promises';
import { dirname, isAbsolute, resolve } from 'node:path';
import type { SetupPreviewResponse } from '../api/console/types.js';
import { DriveError } from '../drive/drive-error.js';
import { onDrive } from '../drive/drive-looks.js';
import { readFormat } from '../drive/format.js';
import { DeploymentError, setSizeFor } from '../erasure/deployment.js';

type DriveCheck = SetupPreviewResponse['perDrive'][number];

/** Entries a fresh filesystem already has: a mount point holding only these counts as empty. */
const FRESH_FS_ENTRIES = new Set(['lost+found', '.Trashes', '.Spotlight-V100', '.fseventsd', 'System Volume Information', '$RECYCLE.BIN']);

/** How long a folder offered as a drive has to answer the preview's looks: a dead mount must not freeze the wizard. */
const LOOK_MS = 5000;

async function nearestExisting(path: string): Promise<string> {
  let p = path;
  while (!(await stat(p).catch(() => null))) {
    const up = dirname(p);
    if (up === p) break;
    p = up;
  }
  return p;
}

/** What the preview needs of one folder: the filesystem it is (or would be) on and that filesystem's free bytes. */
async function placeOf(path: string): Promise<{ device: number | undefined; freeBytes: number }> {
  const at = await nearestExisting(path);
  const [st, fs] = await Promise.all([stat(at).catch(() => undefined), statfs(at).catch(() => undefined)]);
  return { device: st?.dev, freeBytes: fs ? fs.bavail * fs.bsize : 0 };
}

/** Why a folder cannot become a new drive, or undefined. Read-only: nothing is created or formatted here. */
async function driveProblem(path: string): Promise<string | undefined> {
  const st = await stat(path).catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') return null;
    throw err;
  });
  if (!st) {
    const parent = await nearestExisting(dirname(path));
    if (!(await stat(parent)).isDirectory()) return `${parent} is not a folder`;
    try {
      await access(parent, constants.W_OK);
    } catch {
      return `it does not exist and ${parent} is not writable, so it cannot be created`;
    }
    return undefined;
  }
  if (!st.isDirectory()) return 'it is a file, not a folder';
  try {
    await access(path, constants.W_OK | constants.X_OK);
  } catch {
    return 'it is not writable by the user Granary runs as';
  }
  const format = await readFormat(path, LOOK_MS);
  if (format.kind === 'formatted') return `it already holds a drive of Granary deployment ${format.body.deploymentId}`;
  if (format.kind === 'invalid') return format.reason;
  const entries = (await readdir(path)).filter((e) => !FRESH_FS_ENTRIES.has(e));
  if (entries.length > 0) return `it is not empty (${entries.length} item${entries.length === 1 ? '' : 's'}): choose an empty folder or a new one`;
  return undefined;
}

/** Each folder looked at concurrently, each under LOOK_MS: one that does not answer is a problem of its own, not a frozen preview. */
async function checkDrives(drives: unknown[]): Promise<(DriveCheck & { device: number | undefined })[]> {
  const seen = new Set<string>();
  return Promise.all(drives.map(async (raw) => {
    const unplaced = { freeBytes: 0, ok: false, device: undefined };
    if (typeof raw !== 'string' || raw.trim() === '') return { ...unplaced, path: String(raw ?? ''), problem: 'no path given' };
    if (!isAbsolute(raw)) return { ...unplaced, path: raw, problem: 'give the full path of the folder (it starts with / or a drive letter)' };
    const path = resolve(raw);
    const duplicate = seen.has(path);
    seen.add(path);
    let place: { device: number | undefined; freeBytes: number } = { device: undefined, freeBytes: 0 };
    let problem: string | undefined;
    try {
      place = await onDrive(path, 'read', 'looking at it', LOOK_MS, () => placeOf(path));
      if (duplicate) problem = 'it is chosen twice';
      else problem = await onDrive(path, 'read', 'looking at it', LOOK_MS, () => driveProblem(path));
    } catch (err) {
      problem = err instanceof DriveError && err.kind === 'timeout'
        ? `it did not answer within ${LOOK_MS / 1000} s (a disk or network mount that hangs?)`
        : `it cannot be read: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`;
    }
    if (!problem && place.freeBytes === 0) problem = 'its filesystem has no free space';
    const check = { path, freeBytes: place.freeBytes, device: place.device };
    return problem ? { ...check, ok: false, problem } : { ...check, ok: true };
  }));
}

/**
 * The wizard's live preview and the setup's validation: the same rules the
 * engine applies when it formats (engine/erasure/deployment.ts), checked
 * without writing anything. Drives are grouped into sets in the order given,
 * as formatting does.
 */
export async function planDrives(drives: unknown, parity: unknown): Promise<SetupPreviewResponse> {
  const list = Array.isArray(drives) ? drives : [];
  const checked = await checkDrives(list);
  const perDrive: DriveCheck[] = checked.map(({ device: _, ...check }) => check);
  // Folders on one filesystem share its free space: each gets its share, so the disk counts once.
  const devices = checked.map((d, i) => d.device ?? `unknown ${i}`);
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
