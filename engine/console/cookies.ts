/** The session cookie. A `__Host-` prefix would need Secure, which plain-HTTP loopback cannot have. */
export const SESSION_COOKIE = 'granary-session';

/** One cookie's value from a Cookie header (RFC 6265 §5.4 syntax: `a=b; c=d`); the first wins. */
export function readCookie(header: string | undefined, name: string): string | undefined {
  if (!header || header.length > 8192) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    if (part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim().replace(/^"(.*)"$/, '$1');
  }
  return undefined;
}

/**
 * The session cookie's Set-Cookie value. HttpOnly: page scripts never see
 * the token (they get the CSRF token instead). SameSite=Strict: other sites'
 * pages never make the browser send it. Secure whenever the console is
 * reached over TLS. No Max-Age on a live session: the token's own expiry
 * decides, and closing the browser forgets it.
 */
export function sessionCookie(token: string, secure: boolean): string {
  return `${SESSION_COOKIE}=${token}; Path=/; HttpOnly; SameSite=Strict${secure ? '; Secure' : ''}`;
}

export function clearedSessionCookie(secure: boolean): string {
  return `${SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0${secure ? '; Secure' : ''}`;
}
