import { access, stat, statfs } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { withinDeadline } from '../common/deadline.js';
import { DriveError } from './drive-error.js';
import { faultApplies, injectedFault } from './drive-faults.js';

/**
 * Looks at a drive's folder from outside its monitor (the health model's
 * flags, the storage figures, the heal watcher): is a file there, how much
 * space is left. Each is asked of the thread pool under a deadline, because
 * a hung disk would otherwise stop the engine, and each waits on the test
 * fault hook like any read of the drive, which is how the deadlines are tested.
 */

/**
 * Whether `path` (on the drive at `root`) exists: true or false, or null when
 * the drive did not say within `ms`. Only "no such file" is absence; any
 * other error (EIO from a failing disk) is null too, since taking a
 * failing drive for a blank one would format it.
 */
export function existsOnDrive(root: string, path: string, ms: number): Promise<boolean | null> {
  return withinDeadline(
    injectedWait(root, 'read').then(() => access(path)).then(
      () => true,
      (err: NodeJS.ErrnoException) => (err.code === 'ENOENT' || err.code === 'ENOTDIR' ? false : null),
    ),
    ms,
  );
}

export interface DriveSpace {
  totalBytes: number;
  freeBytes: number;
  /** The filesystem's device (stat dev): drive folders that share one share its bytes. */
  device: number;
}

/** The drive's space as statfs tells it (or as the test hook says), or null when it did not answer within `ms` or failed. */
export async function driveSpace(root: string, ms: number): Promise<DriveSpace | null> {
  const fault = injectedFault(root);
  const answer = await withinDeadline(injectedWait(root, 'read').then(() => Promise.all([statfs(root), stat(root)])), ms).catch(() => null);
  if (!answer) return null;
  const [fs, st] = answer;
  return {
    totalBytes: fault?.totalBytes ?? fs.blocks * fs.bsize,
    freeBytes: fault?.freeBytes ?? fs.bavail * fs.bsize,
    device: st.dev,
  };
}

/**
 * `work` on the drive at `root` (a drive not yet opened, or one being formatted
 * or rebuilt) under a deadline: its result, or DriveError 'timeout' once `ms`
 * passed. The work is not cancelled; a hung disk holds one of the thread
 * pool's threads, never the engine.
 */
export async function onDrive<T>(root: string, kind: 'read' | 'write', what: string, ms: number, work: () => Promise<T>): Promise<T> {
  const answer = await withinDeadline(injectedWait(root, kind).then(work).then((value) => ({ value })), ms);
  if (!answer) throw new DriveError('timeout', `${root}: ${what} took over ${ms} ms`);
  return answer.value;
}

/** A drive the hook hangs answers late; one it fails answers EIO. Nothing waits here unless a test set the hook. */
async function injectedWait(root: string, kind: 'read' | 'write'): Promise<void> {
  const fault = injectedFault(root);
  if (!faultApplies(fault, kind)) return;
  // Unreferenced: a look left behind by its deadline must not keep the process open.
  if (fault.delayMs) await sleep(fault.delayMs, undefined, { ref: false });
  if (fault.error === 'io') throw Object.assign(new Error('EIO: injected by the test fault hook'), { code: 'EIO' });
  if (fault.error === 'full' && kind === 'write') throw Object.assign(new Error('ENOSPC: injected by the test fault hook'), { code: 'ENOSPC' });
}
