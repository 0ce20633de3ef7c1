import { createHmac, timingSafeEqual } from 'node:crypto';

export const CSRF_HEADER = 'x-csrf-token';

/**
 * The CSRF token of a session: an HMAC of its token id, so it needs no
 * storage, is worthless with any other session, and cannot be computed by a
 * page that can make the browser send the cookie but cannot read it.
 */
export function csrfTokenFor(key: Buffer, jti: string): string {
  return createHmac('sha256', key).update(`csrf:${jti}`).digest('base64url');
}

export function csrfMatches(key: Buffer, jti: string, given: string | string[] | undefined): boolean {
  if (typeof given !== 'string' || given.length > 128) return false;
  const expected = Buffer.from(csrfTokenFor(key, jti));
  const typed = Buffer.from(given);
  return typed.length === expected.length && timingSafeEqual(typed, expected);
}
