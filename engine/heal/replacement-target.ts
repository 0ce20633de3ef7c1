import { readdir, stat } from 'node:fs/promises';
import { isAbsolute, resolve } from 'node:path';
import { GranaryError } from '../common/errors.js';
import { existsOnDrive, onDrive } from '../drive/drive-looks.js';
import type { LocalDrive } from '../drive/local-drive.js';
import type { ErasureObjectLayer } from '../object/erasure-object-layer.js';

/** Which slot a replacement takes, and the drive (if still open) it stands in for. */
export interface ReplacementTarget {
  set: number;
  slot: number;
  driveId: string;
  /** A drive of the set with a format file, whose format the new drive copies. */
  reference: LocalDrive;
  /** The lost drive's open handle, when it was open at all. */
  old: LocalDrive | null;
  oldPath: string;
  newPath: string;
}

/**
 * Decides where `granary admin drive replace OLD NEW` puts NEW, refusing
 * what would lose data or make no sense: relative paths (the server cannot
 * know the caller's folder), NEW being OLD or any drive of the deployment,
 * NEW holding anything, OLD not a drive here, and OLD still answering
 * (unless forced: replacing a drive that works throws away good shards).
 * Every look at a folder has `ms`, since OLD is most likely a disk that hangs.
 */
export async function replacementTarget(layer: ErasureObjectLayer, oldArg: string, newArg: string, force: boolean, ms: number): Promise<ReplacementTarget> {
  for (const [name, p] of [['OLD', oldArg], ['NEW', newArg]] as const) {
    if (!isAbsolute(p)) throw new GranaryError('InvalidInput', `${name} must be an absolute path on the server; ${JSON.stringify(p)} is not.`);
  }
  const oldPath = resolve(oldArg);
  const newPath = resolve(newArg);
  if (oldPath === newPath) throw new GranaryError('InvalidInput', 'OLD and NEW are the same path: to rebuild a drive in place, put a blank folder at its path (or empty it) and it is rebuilt by itself.');
  const slots = layer.deployment.sets.flatMap((set, index) => set.paths.map((path, slot) => ({ set: index, slot, path })));
  if (slots.some((s) => s.path === newPath)) throw new GranaryError('InvalidInput', `${newPath} is already a drive of this deployment.`);
  const look = await onDrive(newPath, 'read', 'looking at it', ms, async () => {
    const st = await stat(newPath).catch((err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT') return null;
      throw err;
    });
    return st && { folder: st.isDirectory(), entries: st.isDirectory() ? (await readdir(newPath)).length : 0 };
  }).catch((err: Error) => {
    throw new GranaryError('InvalidInput', `${newPath} cannot be used as a drive: ${err.message}.`);
  });
  if (look && !look.folder) throw new GranaryError('InvalidInput', `${newPath} is not a folder.`);
  if (look && look.entries > 0) throw new GranaryError('InvalidInput', `${newPath} is not empty: a replacement drive must be blank, so that nothing on it is mistaken for data.`);

  let found = slots.find((s) => s.path === oldPath);
  if (!found) {
    // A drive that could not even be read at start has no path in the layout; with one such slot, it is that one.
    const unknown = slots.filter((s) => s.path === null);
    if (unknown.length !== 1) throw new GranaryError('InvalidInput', `${oldPath} is not a drive of this deployment (see granary admin health for its drives).`);
    found = unknown[0];
  }
  const set = layer.sets[found.set];
  const old = set.drives[found.slot];
  // A drive that does not say within `ms` whether its files are there is not answering.
  const answers = async (d: LocalDrive | null) => d !== null && d.health.online && (await existsOnDrive(d.root, d.paths.meta, ms)) === true;
  if (!force && (await answers(old))) {
    throw new GranaryError('InvalidRequest', `${oldPath} is online and answering: replacing it would throw away good shards. Use --force to replace it anyway.`);
  }
  let reference: LocalDrive | undefined;
  for (const [slot, d] of set.drives.entries()) {
    if (slot !== found.slot && (await answers(d))) {
      reference = d!;
      break;
    }
  }
  if (!reference) throw new GranaryError('XGranaryReadQuorum', `no other drive of set ${found.set} is online to copy the format from.`);
  // Slots are in the order of the format's id lists: the slot's id is the one NEW takes on.
  const driveId = reference.format.sets[found.set][found.slot];
  return { set: found.set, slot: found.slot, driveId, reference, old, oldPath, newPath };
}
