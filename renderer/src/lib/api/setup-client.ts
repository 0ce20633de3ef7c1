import type { SetupDisksResponse, SetupPreviewResponse, SetupRequest, SetupResponse, SetupStatus } from '../../../../engine/api/console/types';
import { ApiError } from './api-error';
import { API_BASE, errorFrom } from './http';

/**
 * First-run setup (engine/setup/setup-server.ts): no session yet, so no
 * CSRF token; every call but the status carries the one-time token of the
 * setup link (`?token=…`) instead.
 */
async function call<T>(method: string, path: string, token: string | null, body?: unknown): Promise<T> {
  let res: Response;
  try {
    res = await fetch(`${API_BASE}${path}`, {
      method,
      headers: { accept: 'application/json', ...(token !== null ? { 'x-setup-token': token } : {}), ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
      credentials: 'same-origin',
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
  } catch {
    throw new ApiError('NetworkError', 0, 'Could not reach the Granary engine. Check that it is running, then try again.');
  }
  const text = await res.text();
  if (!res.ok) throw errorFrom(res.status, text);
  return JSON.parse(text) as T;
}

/** The token of the setup link this page was opened with. */
export function setupToken(): string | null {
  return new URLSearchParams(window.location.search).get('token');
}

export const setupApi = {
  status: () => call<SetupStatus>('GET', '/setup', null),
  disks: (token: string) => call<SetupDisksResponse>('GET', '/setup/disks', token),
  preview: (token: string, drives: string[], parity: number) => call<SetupPreviewResponse>('POST', '/setup/preview', token, { drives, parity }),
  finish: (token: string, body: SetupRequest) => call<SetupResponse>('POST', '/setup', token, body),
};
