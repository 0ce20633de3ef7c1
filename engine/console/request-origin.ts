import { isIP } from 'node:net';
import { ConsoleError } from './console-error.js';

/** Whether a listen address or Host name is this machine only. */
export function isLoopbackHost(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  if (h === 'localhost' || h.endsWith('.localhost')) return true;
  if (isIP(h) === 4) return h.startsWith('127.');
  if (isIP(h) === 6) return h === '::1' || /^::ffff:127\./.test(h);
  return false;
}

/** `host[:port]` as the URL parser normalises it (lower case, default port dropped), or undefined when it is not one. */
function normalisedHost(host: string, protocol: 'http:' | 'https:'): string | undefined {
  if (!host || host.length > 300 || /[/\\@?#\s]/.test(host)) return undefined;
  try {
    return new URL(`${protocol}//${host}`).host;
  } catch {
    return undefined;
  }
}

export interface OriginPolicy {
  /** The console listens on loopback only: then every Host must name loopback too. */
  loopbackOnly: boolean;
}

/**
 * Refuses what a browser would send on another site's behalf.
 *
 * - A foreign `Origin`: browsers send it on every cross-origin POST, PUT,
 *   PATCH and DELETE, and on CORS reads. SameSite=Strict alone is not
 *   enough, because SameSite ignores ports: a page served from a public
 *   bucket on the S3 port of the same host is "same-site" and its requests
 *   carry the cookie; its Origin names the other port.
 * - On a loopback-only console, a Host that is not a loopback name: that is
 *   DNS rebinding (an attacker's name resolving to 127.0.0.1), which would
 *   make the attacker's page same-origin with the console.
 */
export function checkRequestOrigin(headers: { host?: string; origin?: string }, secure: boolean, policy: OriginPolicy): void {
  const protocol = secure ? 'https:' : 'http:';
  const host = normalisedHost(headers.host ?? '', protocol);
  if (host === undefined) throw new ConsoleError('InvalidRequest', 'The Host header is missing or not valid.');
  if (policy.loopbackOnly && !isLoopbackHost(new URL(`${protocol}//${host}`).hostname)) {
    throw new ConsoleError('CrossOriginRequest', 'This console answers only to localhost and loopback addresses.');
  }
  const origin = headers.origin;
  if (origin === undefined) return;
  let url: URL | undefined;
  try {
    url = new URL(origin);
  } catch {
    url = undefined;
  }
  // `Origin: null` (sandboxed frames, file: pages) is foreign too.
  if (!url || url.protocol !== protocol || url.host !== host) throw new ConsoleError('CrossOriginRequest', `Requests from ${JSON.stringify(origin)} are refused.`);
}
