import type { LocalDrive } from '../drive/local-drive.js';

/**
 * Every drive of a set asked at once, asynchronously (on their reader
 * threads), so a drive whose disk hangs holds no one but this request. It
 * settles when every drive has answered or failed (null), or sooner when the
 * only drives still silent are lagging (an operation of theirs long
 * unanswered, see DriveMonitor.lagging) and `enough` says the answers so far
 * settle the question without them; otherwise it waits on, up to each
 * drive's deadline. Absent drives (null) answer null at once.
 */
export async function askDrives<T>(
  drives: readonly (LocalDrive | null)[],
  ask: (drive: LocalDrive, slot: number) => Promise<T>,
  enough: (answers: readonly (T | null)[]) => boolean,
): Promise<(T | null)[]> {
  const answers: (T | null)[] = drives.map(() => null);
  const waiting = new Set<number>();
  let wake: (() => void) | null = null;
  drives.forEach((d, slot) => {
    if (!d) return;
    waiting.add(slot);
    ask(d, slot)
      .then((a) => { answers[slot] = a; }, () => undefined)
      .then(() => { waiting.delete(slot); wake?.(); });
  });
  // By then every read still unanswered is its drive's oldest or younger: all lagging, so worth a look without them.
  const lagMs = Math.max(0, ...drives.map((d) => d?.health.lagMs ?? 0));
  const timer = setTimeout(() => wake?.(), lagMs + 1);
  try {
    while (waiting.size > 0) {
      if ([...waiting].every((slot) => drives[slot]!.health.lagging) && enough(answers)) return answers.slice();
      await new Promise<void>((r) => { wake = r; });
      wake = null;
    }
  } finally {
    clearTimeout(timer);
  }
  return answers;
}
