import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RunningServer } from '../helpers/server.js';

/** A logged-in console session as a browser holds it: the cookie, and the CSRF token to send back on changes. */
export interface ConsoleSessionHandle {
  cookie: string;
  csrf: string;
}

export interface ApiResult {
  status: number;
  headers: Headers;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  body: any;
  text: string;
}

/** The console URL the server printed at start. */
export async function consoleUrlOf(server: RunningServer): Promise<string> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const m = /Console: (https?:\/\/\S+)/.exec(server.output());
    if (m) return m[1];
    if (Date.now() > deadline) throw new Error(`no console URL in the server's output:\n${server.output()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** One console API call with fetch, as the renderer makes it. */
export async function api(base: string, method: string, path: string, opts: { session?: ConsoleSessionHandle; body?: unknown; rawBody?: string; csrf?: string | null } = {}): Promise<ApiResult> {
  const headers: Record<string, string> = {};
  const payload = opts.rawBody ?? (opts.body === undefined ? undefined : JSON.stringify(opts.body));
  if (payload !== undefined) headers['content-type'] = 'application/json';
  if (opts.session) headers.cookie = opts.session.cookie;
  const csrf = opts.csrf === undefined ? opts.session?.csrf : opts.csrf;
  if (csrf && method !== 'GET') headers['x-csrf-token'] = csrf;
  const res = await fetch(`${base}/api/v1${path}`, { method, headers, ...(payload !== undefined ? { body: payload } : {}) });
  const text = await res.text();
  let body: unknown;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    body = undefined;
  }
  return { status: res.status, headers: res.headers, body, text };
}

/** The session a response set (login, password change, MFA upgrade). */
export function sessionFrom(res: ApiResult): ConsoleSessionHandle {
  const line = res.headers.getSetCookie().find((c) => c.startsWith('granary-session='));
  assert.ok(line, `no session cookie in ${res.status} ${res.text}`);
  return { cookie: line.split(';')[0], csrf: res.body.csrfToken };
}

export async function login(base: string, accessKey: string, secretKey: string, extra: { totp?: string } = {}): Promise<ConsoleSessionHandle> {
  const res = await api(base, 'POST', '/login', { body: { accessKey, secretKey, ...extra } });
  assert.equal(res.status, 200, `login ${accessKey}: ${res.text}`);
  return sessionFrom(res);
}

export function expectError(res: ApiResult, status: number, code: string): void {
  assert.equal(res.status, status, res.text);
  assert.equal(res.body?.code, code, res.text);
}

/** Root credentials a server generated on its first start (no GRANARY_ROOT_* in its environment). */
export function generatedRoot(server: RunningServer): { accessKey: string; secretKey: string } {
  return JSON.parse(readFileSync(join(server.root, 'config', 'root-credentials.json'), 'utf8'));
}
