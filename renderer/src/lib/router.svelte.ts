/**
 * Hash routing: `#/buckets/photos?prefix=2024%2F`. The hash keeps every
 * screen a plain URL the engine's static server never sees, in a browser on
 * the LAN and in the Electron window alike.
 */
export interface Location {
  /** Decoded path segments: `#/buckets/a%2Fb` → ['buckets', 'a/b']. */
  segments: string[];
  query: URLSearchParams;
}

function read(): Location {
  const raw = window.location.hash.replace(/^#/, '');
  const q = raw.indexOf('?');
  const path = q < 0 ? raw : raw.slice(0, q);
  const segments = path
    .split('/')
    .filter((s) => s !== '')
    .map((s) => {
      try {
        return decodeURIComponent(s);
      } catch {
        return s;
      }
    });
  return { segments, query: new URLSearchParams(q < 0 ? '' : raw.slice(q + 1)) };
}

class Router {
  location = $state<Location>(read());

  constructor() {
    window.addEventListener('hashchange', () => {
      this.location = read();
    });
  }
}

export const router = new Router();

/** The `#/…` href of a screen; segments are encoded one by one (a bucket or prefix may hold any character). */
export function href(segments: string[], query: Record<string, string | undefined> = {}): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) if (v !== undefined && v !== '') q.set(k, v);
  const s = q.toString();
  return `#/${segments.map(encodeURIComponent).join('/')}${s ? `?${s}` : ''}`;
}

export function navigate(segments: string[], query: Record<string, string | undefined> = {}): void {
  const target = href(segments, query);
  if (window.location.hash !== target) window.location.hash = target;
}
