/**
 * `work`'s result, or null when it has not settled within `ms`. The work is
 * not cancelled (a file system call on a hung disk cannot be); the caller
 * only stops waiting for it.
 */
export async function withinDeadline<T>(work: Promise<T>, ms: number): Promise<T | null> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<null>((resolve) => { timer = setTimeout(resolve, ms, null); });
  work.catch(() => undefined);
  try {
    return await Promise.race([work, late]);
  } finally {
    clearTimeout(timer);
  }
}
