import { readFileSync, statSync } from 'node:fs';
import { resolve } from 'node:path';

/**
 * TEST-ONLY fault injection for the drive layer. Inert unless the environment
 * variable GRANARY_TEST_DRIVE_FAULTS names a JSON file; nothing else reads it,
 * and no product path sets it. The file is re-read when it changes, so a test
 * can make a drive slow, hung, failing or full and then heal it while the
 * engine runs:
 *
 *   { "drives": { "/abs/drive/path": {
 *       "delayMs": 60000,        // every matching operation waits this long first (a hung drive: a long delay)
 *       "error": "io" | "full",  // every matching operation then fails this way (EIO / ENOSPC)
 *       "ops": "read" | "write" | "both",   // which operations (default both)
 *       "freeBytes": 0, "totalBytes": 1073741824   // what statfs reports for the drive instead of the real numbers
 *   } } }
 *
 * Looks at a drive's files and space from outside its monitor (drive-looks.ts)
 * count as reads: a hung drive answers them late, a failing one with EIO.
 *
 * An operation cut short by its drive timeout while it waits here is abandoned
 * and never runs, so a drive "hung" by the hook does not apply stale writes
 * when it comes back.
 */
export interface DriveFault {
  delayMs?: number;
  error?: 'io' | 'full';
  ops?: 'read' | 'write' | 'both';
  freeBytes?: number;
  totalBytes?: number;
}

export const FAULTS_ENV = 'GRANARY_TEST_DRIVE_FAULTS';
/** Read once: tests set it in the engine process's environment, and process.env is a slow getter on every drive operation. */
const FAULTS_FILE = process.env[FAULTS_ENV];

/** How often the file's mtime is looked at, at most. */
const RECHECK_MS = 100;

let cache: { file: string; checked: number; mtimeMs: number; size: number; faults: Map<string, DriveFault> } | undefined;

/** The injected fault of a drive folder, or undefined (always, when the variable is unset). */
export function injectedFault(root: string): DriveFault | undefined {
  const file = FAULTS_FILE;
  if (!file) return undefined;
  const now = Date.now();
  if (!cache || cache.file !== file || now - cache.checked >= RECHECK_MS) {
    let mtimeMs = -1;
    let size = -1;
    try {
      const st = statSync(file);
      mtimeMs = st.mtimeMs;
      size = st.size;
    } catch {
      // No file: no faults.
    }
    if (!cache || cache.file !== file || cache.mtimeMs !== mtimeMs || cache.size !== size) {
      cache = { file, checked: now, mtimeMs, size, faults: mtimeMs < 0 ? new Map() : parseFaults(file) };
    } else {
      cache.checked = now;
    }
  }
  return cache.faults.get(resolve(root));
}

function parseFaults(file: string): Map<string, DriveFault> {
  try {
    const body = JSON.parse(readFileSync(file, 'utf8')) as { drives?: Record<string, DriveFault> };
    return new Map(Object.entries(body.drives ?? {}).map(([p, f]) => [resolve(p), f]));
  } catch {
    // A half-written file (the test is rewriting it): keep the faults we had until it parses.
    return cache?.faults ?? new Map();
  }
}

export function faultApplies(fault: DriveFault | undefined, kind: 'read' | 'write'): fault is DriveFault {
  if (!fault || (fault.delayMs === undefined && fault.error === undefined)) return false;
  return (fault.ops ?? 'both') === 'both' || fault.ops === kind;
}
