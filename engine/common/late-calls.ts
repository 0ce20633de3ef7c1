import { withinDeadline } from './deadline.js';

/**
 * Calls that cannot be cancelled (a file system call on a disk that hangs),
 * each run under a deadline and counted by key while it is out past it.
 * Such a call holds one of the thread pool's threads, which every file call
 * of the process shares, so no new call under its key starts until it
 * returns: a disk that hangs holds one thread, not one more at every poll.
 */
export class LateCalls {
  private readonly out = new Map<string, number>();

  /**
   * `call`'s value within `ms`, 'late' once `ms` passed, or 'held' at once,
   * without calling, while an earlier call under `key` is still out past its
   * deadline. `call` is told whether it is late (so work not yet begun can be dropped).
   */
  async run<T>(key: string, ms: number, call: (isLate: () => boolean) => Promise<T>): Promise<{ value: T } | 'late' | 'held'> {
    if (this.out.has(key)) return 'held';
    let late = false;
    const pending = call(() => late);
    const answer = await withinDeadline(pending.then((value) => ({ value })), ms);
    if (answer) return answer;
    late = true;
    this.out.set(key, (this.out.get(key) ?? 0) + 1);
    const returned = () => {
      const n = (this.out.get(key) ?? 1) - 1;
      if (n > 0) this.out.set(key, n);
      else this.out.delete(key);
    };
    pending.then(returned, returned);
    return 'late';
  }
}
