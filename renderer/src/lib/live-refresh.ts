/** How often the dashboard asks when the engine offers no event stream. */
export const POLL_MS = 5000;

export type RefreshMode = 'connecting' | 'live' | 'polling';

/**
 * Calls `refresh` when something may have changed: on each server-sent
 * event of `GET /api/v1/events` when the engine offers that stream, else
 * every POLL_MS. Events are coalesced to one refresh a second. Returns the
 * function that stops it.
 */
export function liveRefresh(refresh: () => void, onMode: (mode: RefreshMode) => void): () => void {
  let stopped = false;
  let timer: ReturnType<typeof setInterval> | undefined;
  let pending: ReturnType<typeof setTimeout> | undefined;
  let source: EventSource | undefined;

  const poll = () => {
    source?.close();
    source = undefined;
    if (stopped || timer) return;
    onMode('polling');
    timer = setInterval(refresh, POLL_MS);
  };
  const soon = () => {
    if (pending || stopped) return;
    pending = setTimeout(() => {
      pending = undefined;
      refresh();
    }, 1000);
  };

  onMode('connecting');
  try {
    source = new EventSource('/api/v1/events', { withCredentials: true });
    source.onopen = () => {
      if (!stopped) onMode('live');
    };
    source.onmessage = soon;
    // Named events (health, drive, …) count too: any of them may change what the dashboard shows.
    for (const name of ['health', 'drive', 'drives', 'storage', 'heal']) source.addEventListener(name, soon);
    // A 404 (no stream in this engine) or a dropped stream: fall back to polling, which always works.
    source.onerror = poll;
  } catch {
    poll();
  }

  return () => {
    stopped = true;
    source?.close();
    if (timer) clearInterval(timer);
    if (pending) clearTimeout(pending);
  };
}
