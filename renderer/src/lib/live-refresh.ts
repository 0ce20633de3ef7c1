/** How often the dashboard asks when the engine offers no event stream (or it dropped). */
export const POLL_MS = 5000;
/** With the stream up, free space still changes without events: a slow poll beside it. */
const LIVE_POLL_MS = 30_000;

/**
 * The event types of `GET /api/v1/events` (engine/api/health/types.ts,
 * HealthEventType, from the health work), plus `resync`. Any of them may
 * change what the dashboard shows.
 */
const EVENT_TYPES = [
  'drive-state', 'set-state', 'heal-started', 'heal-progress', 'heal-finished',
  'bitrot-found', 'bitrot-repaired', 'low-space', 'storage-full', 'space-returned', 'resync',
];

export type RefreshMode = 'connecting' | 'live' | 'polling';

/**
 * Calls `refresh` when something may have changed: on server-sent events of
 * `GET /api/v1/events` when the engine offers the stream to this account
 * (coalesced to one refresh a second, with a slow poll beside it), else
 * every POLL_MS. A dropped stream polls until the browser reconnects it; a
 * refused one (404, 403) stays closed. Returns the function that stops it.
 */
export function liveRefresh(refresh: () => void, onMode: (mode: RefreshMode) => void): () => void {
  let stopped = false;
  let timer: ReturnType<typeof setInterval> | undefined;
  let pending: ReturnType<typeof setTimeout> | undefined;
  let source: EventSource | undefined;

  const every = (ms: number) => {
    if (timer) clearInterval(timer);
    timer = stopped ? undefined : setInterval(refresh, ms);
  };
  const soon = () => {
    if (pending || stopped) return;
    pending = setTimeout(() => {
      pending = undefined;
      refresh();
    }, 1000);
  };

  onMode('connecting');
  every(POLL_MS);
  try {
    source = new EventSource('/api/v1/events', { withCredentials: true });
    source.onopen = () => {
      if (stopped) return;
      onMode('live');
      every(LIVE_POLL_MS);
      soon();
    };
    for (const name of EVENT_TYPES) source.addEventListener(name, soon);
    source.onerror = () => {
      if (stopped) return;
      onMode('polling');
      every(POLL_MS);
    };
  } catch {
    onMode('polling');
  }

  return () => {
    stopped = true;
    source?.close();
    if (timer) clearInterval(timer);
    if (pending) clearTimeout(pending);
  };
}
