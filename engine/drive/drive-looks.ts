import { access, stat, statfs } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { LateCalls } from '../common/late-calls.js';
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
export async function existsOnDrive(root: string, path: string, ms: number): Promise<boolean | null> {
  const answer = await look(root, 'read', ms, () => access(path).then(
    () => true,
    (err: NodeJS.ErrnoException) => (err.code === 'ENOENT' || err.code === 'ENOTDIR' ? false : null),
  )).catch(() => 'late' as const);
  return typeof answer === 'object' ? answer.value : null;
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
  // One call after the other: on a disk that hangs, the first holds one thread of the pool, not two.
  const answer = await look(root, 'read', ms, async () => [await statfs(root), await stat(root)] as const).catch(() => 'late' as const);
  if (typeof answer !== 'object') return null;
  const [fs, st] = answer.value;
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
  const answer = await look(root, kind, ms, work);
  if (answer === 'late') throw new DriveError('timeout', `${root}: ${what} took over ${ms} ms`);
  if (answer === 'held') throw new DriveError('timeout', `${root}: ${what} not tried: an earlier call on this drive has not returned`);
  return answer.value;
}

/** Calls on each drive root out past their deadline: see LateCalls. */
const lateCalls = new LateCalls();

/** `work` on the drive at `root` within `ms`, as LateCalls runs it; work the test hook held past its deadline is dropped, never run. */
function look<T>(root: string, kind: 'read' | 'write', ms: number, work: () => Promise<T>): Promise<{ value: T } | 'late' | 'held'> {
  return lateCalls.run(root, ms, (isLate) => injectedWait(root, kind).then(() => {
    if (isLate()) throw new DriveError('timeout', `${root}: dropped, its deadline passed while the test hook held it`);
    return work();
  }));
}

/**
 * A drive the hook hangs answers late; one it fails answers EIO. A hang
 * ends when its delay has passed or the test lifts it, as a disk that comes
 * back returns the calls it held. Nothing waits here unless a test set the hook.
 */
async function injectedWait(root: string, kind: 'read' | 'write'): Promise<void> {
  const fault = injectedFault(root);
  if (!faultApplies(fault, kind)) return;
  if (fault.delayMs) {
    const until = Date.now() + fault.delayMs;
    // Unreferenced: a call left behind by its deadline must not keep the process open.
    while (Date.now() < until && injectedFault(root)?.delayMs) await sleep(Math.min(HOOK_POLL_MS, until - Date.now()), undefined, { ref: false });
  }
  if (fault.error === 'io') throw Object.assign(new Error('EIO: injected by the test fault hook'), { code: 'EIO' });
  if (fault.error === 'full' && kind === 'write') throw Object.assign(new Error('ENOSPC: injected by the test fault hook'), { code: 'ENOSPC' });
}

/** How often a hung call looks whether the test lifted its hang. */
const HOOK_POLL_MS = 100;
