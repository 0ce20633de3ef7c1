import { createHmac } from 'node:crypto';
import type { OidcPending } from '../sts/oidc-code-flow.js';
import { sameSecret } from './constant-time.js';

export const OIDC_COOKIE = 'granary-oidc';
const PATH = '/api/v1/login/oidc';
/** Long enough to log in at the provider, short enough that a stolen cookie is soon useless. */
const TTL_S = 10 * 60;
export const PENDING_TTL_MS = TTL_S * 1000;

/**
 * The state, nonce and PKCE verifier of a login in progress, kept by the
 * browser: HMAC-signed (the console's CSRF key, under its own label) so it
 * cannot be forged, HttpOnly, and SameSite=Lax because the provider's
 * redirect back is a top-level navigation from another site.
 */
export function pendingCookie(key: Buffer, pending: OidcPending, secure: boolean, now = Date.now()): string {
  const body = Buffer.from(JSON.stringify({ ...pending, exp: Math.floor(now / 1000) + TTL_S })).toString('base64url');
  return `${OIDC_COOKIE}=${body}.${mac(key, body)}; Path=${PATH}; HttpOnly; SameSite=Lax; Max-Age=${TTL_S}${secure ? '; Secure' : ''}`;
}

export function clearedPendingCookie(secure: boolean): string {
  return `${OIDC_COOKIE}=; Path=${PATH}; HttpOnly; SameSite=Lax; Max-Age=0${secure ? '; Secure' : ''}`;
}

/** The pending login a cookie holds, when its signature is ours and it has not expired. */
export function readPending(key: Buffer, value: string | undefined, now = Date.now()): OidcPending | undefined {
  if (!value || value.length > 4096) return undefined;
  const dot = value.lastIndexOf('.');
  if (dot < 0) return undefined;
  const body = value.slice(0, dot);
  if (!sameSecret(value.slice(dot + 1), mac(key, body))) return undefined;
  try {
    const p = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as OidcPending & { exp: number };
    if (typeof p.exp !== 'number' || p.exp * 1000 < now) return undefined;
    return { provider: p.provider, state: p.state, nonce: p.nonce, verifier: p.verifier, redirectUri: p.redirectUri };
  } catch {
    return undefined;
  }
}

function mac(key: Buffer, body: string): string {
  return createHmac('sha256', key).update(`oidc-pending:${body}`).digest('base64url');
}
