import { readlinkSync } from 'node:fs';
import { constants, setPriority } from 'node:os';

/**
 * Lowers the calling thread's CPU priority (nice 10), for threads that only
 * ever do background work (a rebuild's hashing and decoding): the kernel
 * then gives a client request's threads the core as soon as they wake,
 * while the background thread still takes every cycle nobody else wants.
 *
 * Linux only, where a thread is its own scheduling entity and setpriority
 * takes its id (read from /proc/thread-self). Elsewhere the call would set
 * the whole process's priority, so it does nothing. Returns whether it took.
 */
export function lowerThisThreadsPriority(): boolean {
  if (process.platform !== 'linux') return false;
  try {
    const tid = Number(readlinkSync('/proc/thread-self').split('/').pop());
    if (!Number.isInteger(tid) || tid <= 0 || tid === process.pid) return false;
    setPriority(tid, constants.priority.PRIORITY_BELOW_NORMAL);
    return true;
  } catch {
    return false;
  }
}
