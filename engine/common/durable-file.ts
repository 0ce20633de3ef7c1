import { chmodSync, closeSync, fsyncSync, linkSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { open, rename, rm } from 'node:fs/promises';
import { dirname } from 'node:path';

/**
 * Small files that must survive a power cut whole (the master key, root
 * credentials, format.json, the drive replacements): written beside, synced,
 * put in place, and the folder synced. A crash leaves the old bytes or the
 * new ones, never an empty file: rename alone only orders the name, not the
 * data, and a lost master key is every encrypted object lost.
 */
export interface DurableWrite {
  mode?: number;
  /** Refuse with EEXIST when the file is there, as `flag: 'wx'` does, instead of replacing it. */
  exclusive?: boolean;
}

function tmpName(file: string): string {
  return `${file}.${process.pid}.tmp`;
}

/** Synchronous, for the start-up and CLI paths that run before anything is served. */
export function writeFileDurablySync(file: string, data: string | Uint8Array, opts: DurableWrite = {}): void {
  const mode = opts.mode ?? 0o600;
  const tmp = tmpName(file);
  const fd = openSync(tmp, 'w', mode);
  try {
    try {
      const bytes = typeof data === 'string' ? Buffer.from(data) : data;
      for (let at = 0; at < bytes.length;) at += writeSync(fd, bytes, at);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    // The mode given to open is masked by the umask; a secret must not be.
    chmodSync(tmp, mode);
    if (opts.exclusive) {
      // link fails when the name is taken, where rename would replace it.
      linkSync(tmp, file);
      rmSync(tmp, { force: true });
    } else {
      renameSync(tmp, file);
    }
  } catch (err) {
    rmSync(tmp, { force: true });
    throw err;
  }
  syncFolderSync(dirname(file));
}

/** The same, off the main thread, for writes made while the server serves. */
export async function writeFileDurably(file: string, data: string | Uint8Array, opts: Omit<DurableWrite, 'exclusive'> = {}): Promise<void> {
  const mode = opts.mode ?? 0o600;
  const tmp = tmpName(file);
  const fh = await open(tmp, 'w', mode);
  try {
    try {
      await fh.writeFile(data);
      await fh.sync();
      await fh.chmod(mode);
    } finally {
      await fh.close();
    }
    await rename(tmp, file);
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
  if (!FOLDERS_OPEN) return;
  const dir = await open(dirname(file), 'r');
  try { await dir.sync(); } finally { await dir.close(); }
}

/** Windows cannot open a folder as a file (EISDIR); NTFS journals the rename itself. */
const FOLDERS_OPEN = process.platform !== 'win32';

/** A folder's entries (a rename, a new file) made durable; a no-op where folders cannot be opened. */
export function syncFolderSync(dir: string): void {
  if (!FOLDERS_OPEN) return;
  const fd = openSync(dir, 'r');
  try { fsyncSync(fd); } finally { closeSync(fd); }
}
