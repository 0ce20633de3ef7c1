import type { ConsoleErrorBody } from '../../../../engine/api/console/types';
import { ApiError } from './api-error';

/** Where the console API lives: the same origin that served this page. */
export const API_BASE = '/api/v1';

type Listener = (err: ApiError) => void;

let csrfToken: string | undefined;
const expiredListeners = new Set<Listener>();

/** Set after login or session read; sent on every state-changing call. */
export function setCsrfToken(token: string | undefined): void {
  csrfToken = token;
}

export function csrfHeaders(): Record<string, string> {
  return csrfToken ? { 'x-csrf-token': csrfToken } : {};
}

/** Called whenever a call answers 401 SessionExpired (the app goes back to its login page). */
export function onSessionExpired(listener: Listener): () => void {
  expiredListeners.add(listener);
  return () => expiredListeners.delete(listener);
}

export function announceExpired(err: ApiError): void {
  for (const l of expiredListeners) l(err);
}

/** An ApiError from a non-2xx answer's body (the console's JSON error, or whatever came back). */
export function errorFrom(status: number, text: string): ApiError {
  let body: Partial<ConsoleErrorBody> | undefined;
  try {
    body = JSON.parse(text) as Partial<ConsoleErrorBody>;
  } catch {
    body = undefined;
  }
  const code = typeof body?.code === 'string' ? body.code : `Http${status}`;
  const message = typeof body?.message === 'string' ? body.message : `The engine answered ${status}.`;
  const err = new ApiError(code, status, message, body?.requestId);
  if (body?.position) err.position = body.position;
  return err;
}

export interface RequestOptions {
  body?: unknown;
  query?: Record<string, string | number | undefined>;
  signal?: AbortSignal;
  /** Do not announce a 401 as an expired session (the login call itself). */
  quiet401?: boolean;
}

export function apiUrl(path: string, query?: RequestOptions['query']): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(query ?? {})) if (v !== undefined) q.set(k, String(v));
  const s = q.toString();
  return `${API_BASE}${path}${s ? `?${s}` : ''}`;
}

/** One JSON call. Resolves to the parsed answer (undefined for 204); rejects with an ApiError. */
export async function request<T>(method: string, path: string, opts: RequestOptions = {}): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json', ...(method === 'GET' ? {} : csrfHeaders()) };
  if (opts.body !== undefined) headers['content-type'] = 'application/json';
  let res: Response;
  try {
    res = await fetch(apiUrl(path, opts.query), {
      method,
      headers,
      credentials: 'same-origin',
      ...(opts.body !== undefined ? { body: JSON.stringify(opts.body) } : {}),
      ...(opts.signal ? { signal: opts.signal } : {}),
    });
  } catch (err) {
    if ((err as Error)?.name === 'AbortError') throw new ApiError('Aborted', 0, 'Cancelled.');
    throw new ApiError('NetworkError', 0, 'Could not reach the Granary engine. Check that it is running, then try again.');
  }
  const text = await res.text();
  if (!res.ok) {
    const err = errorFrom(res.status, text);
    if (err.code === 'SessionExpired' && !opts.quiet401) announceExpired(err);
    throw err;
  }
  return (text ? JSON.parse(text) : undefined) as T;
}
