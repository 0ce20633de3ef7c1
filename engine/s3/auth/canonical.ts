/**
 * The pieces of an AWS Signature Version 4 canonical request, as S3 builds
 * them: S3 signs the path as the client sent it (normalised to one encoding,
 * never double-encoded, no dot-segment removal), the query sorted by encoded
 * key then value, and the signed headers with their values trimmed.
 *
 * Everything here works on bytes: a canonical request is a "byte string" (one
 * char per byte, all ≤ 0xFF) hashed as latin1. Header values are taken as the
 * bytes that came over the wire — Node hands them to us decoded as latin1, so a
 * client's UTF-8 bytes come back byte for byte; a value holding characters
 * above U+00FF (only possible when a caller builds it in JS) counts as its
 * UTF-8 bytes.
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

export type Headers = Record<string, string | string[] | undefined>;

export const ALGORITHM = 'AWS4-HMAC-SHA256';
export const EMPTY_SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';
export const UNSIGNED_PAYLOAD = 'UNSIGNED-PAYLOAD';

// ---------------------------------------------------------------------------
// RFC 3986 encoding

const UNRESERVED = new Uint8Array(256);
for (let b = 0; b < 256; b++) {
  const c = String.fromCharCode(b);
  UNRESERVED[b] = /[A-Za-z0-9\-._~]/.test(c) ? 1 : 0;
}
const PCT: string[] = Array.from({ length: 256 }, (_, b) => '%' + b.toString(16).toUpperCase().padStart(2, '0'));

/** Bytes → SigV4 encoding: unreserved bytes as they are, everything else `%XX` upper case ('/' kept when asked). */
export function uriEncodeBytes(bytes: Uint8Array, keepSlash: boolean): string {
  let out = '';
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i];
    out += UNRESERVED[b] || (keepSlash && b === 0x2f) ? String.fromCharCode(b) : PCT[b];
  }
  return out;
}

/** A string's UTF-8 bytes, SigV4-encoded. */
export function uriEncode(s: string, keepSlash: boolean): string {
  return uriEncodeBytes(Buffer.from(s, 'utf8'), keepSlash);
}

function hexValue(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  if (c >= 0x41 && c <= 0x46) return c - 0x37;
  if (c >= 0x61 && c <= 0x66) return c - 0x57;
  return -1;
}

/**
 * `%XX` escapes → bytes; other characters count as their UTF-8 bytes. A
 * malformed escape (`%` not followed by two hex digits) stays a literal '%'
 * (and is then re-encoded as %25), so decoding never fails and never loses
 * information. With `plusAsSpace` (query strings) '+' means a space.
 */
export function percentDecode(s: string, plusAsSpace = false): Buffer {
  const out = Buffer.allocUnsafe(Buffer.byteLength(s, 'utf8'));
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 0x25 && i + 2 < s.length) {
      const hi = hexValue(s.charCodeAt(i + 1));
      const lo = hexValue(s.charCodeAt(i + 2));
      if (hi >= 0 && lo >= 0) {
        out[n++] = (hi << 4) | lo;
        i += 2;
        continue;
      }
      out[n++] = c;
    } else if (c === 0x2b && plusAsSpace) {
      out[n++] = 0x20;
    } else if (c < 0x80) {
      out[n++] = c;
    } else {
      // One code point (a surrogate pair counts as one), written as UTF-8.
      const cp = s.codePointAt(i)!;
      const ch = String.fromCodePoint(cp);
      n += out.write(ch, n, 'utf8');
      if (cp > 0xffff) i++;
    }
  }
  return out.subarray(0, n);
}

/** One path segment or query component, decoded then re-encoded: every spelling of the same bytes gives one result. */
function normalise(s: string, plusAsSpace: boolean): string {
  // Fast path: nothing to decode and nothing to encode.
  let plain = true;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c > 0x7f || !UNRESERVED[c]) {
      plain = false;
      break;
    }
  }
  return plain ? s : uriEncodeBytes(percentDecode(s, plusAsSpace), false);
}

/** S3's canonical URI: the raw path, each segment normalised to one encoding; slashes (and empty segments) kept. */
export function canonicalUri(rawPath: string): string {
  if (rawPath === '') return '/';
  return rawPath.split('/').map((seg) => normalise(seg, false)).join('/');
}

/**
 * The canonical query string: `&`-separated pairs split at the first '=',
 * key and value decoded ('+' is a space) and re-encoded, sorted by key then
 * value (byte order of the encoded text). `exclude` drops a key (the
 * presigned `X-Amz-Signature`). Empty pairs (`a&&b`) are dropped.
 */
export function canonicalQuery(rawQuery: string, exclude?: string): string {
  if (!rawQuery) return '';
  const pairs: [string, string][] = [];
  for (const part of rawQuery.split('&')) {
    if (!part) continue;
    const eq = part.indexOf('=');
    const k = normalise(eq < 0 ? part : part.slice(0, eq), true);
    if (exclude !== undefined && k === exclude) continue;
    pairs.push([k, eq < 0 ? '' : normalise(part.slice(eq + 1), true)]);
  }
  pairs.sort(([a, x], [b, y]) => (a < b ? -1 : a > b ? 1 : x < y ? -1 : x > y ? 1 : 0));
  let out = '';
  for (let i = 0; i < pairs.length; i++) out += (i ? '&' : '') + pairs[i][0] + '=' + pairs[i][1];
  return out;
}

/** Parses a raw query into decoded `[key, value]` pairs (UTF-8 text; '+' is a space), in order. */
export function parseQuery(rawQuery: string): [string, string][] {
  const out: [string, string][] = [];
  if (!rawQuery) return out;
  for (const part of rawQuery.split('&')) {
    if (!part) continue;
    const eq = part.indexOf('=');
    out.push([
      percentDecode(eq < 0 ? part : part.slice(0, eq), true).toString('utf8'),
      eq < 0 ? '' : percentDecode(part.slice(eq + 1), true).toString('utf8'),
    ]);
  }
  return out;
}

// ---------------------------------------------------------------------------
// Headers

/** A copy with lower-case names; values of names that differ only in case are merged, in order. */
export function lowerCaseHeaders(headers: Headers): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = Object.create(null);
  for (const [name, v] of Object.entries(headers)) {
    if (v === undefined) continue;
    const n = name.toLowerCase();
    const prev = out[n];
    if (prev === undefined) out[n] = v;
    else out[n] = [...(Array.isArray(prev) ? prev : [prev]), ...(Array.isArray(v) ? v : [v])];
  }
  return out;
}

/** One char per byte: latin1 text as is, anything wider as its UTF-8 bytes. */
export function toByteString(s: string): string {
  return /[^\x00-\xff]/.test(s) ? Buffer.from(s, 'utf8').toString('latin1') : s;
}

/** A header value as SigV4 signs it: trimmed, inner whitespace runs collapsed to one space. */
export function canonicalHeaderValue(v: string | string[] | undefined): string {
  if (v === undefined) return '';
  if (Array.isArray(v)) return v.map((x) => canonicalHeaderValue(x)).join(',');
  return toByteString(v.trim().replace(/\s+/g, ' '));
}

/** `name:value\n` for each signed header, in the order given (the caller has checked it is sorted). */
export function canonicalHeaders(headers: Headers, signedHeaders: string[]): string {
  let lower: Headers = headers;
  for (const k of Object.keys(headers)) {
    if (k !== k.toLowerCase()) {
      lower = lowerCaseHeaders(headers);
      break;
    }
  }
  let out = '';
  for (const name of signedHeaders) out += `${name}:${canonicalHeaderValue(lower[name])}\n`;
  return out;
}

// ---------------------------------------------------------------------------
// The canonical request, string to sign, and signing key

export function canonicalRequest(method: string, uri: string, query: string, headers: Headers, signedHeaders: string[], payloadHash: string): string {
  return [toByteString(method), toByteString(uri), toByteString(query), canonicalHeaders(headers, signedHeaders), signedHeaders.join(';'), toByteString(payloadHash)].join('\n');
}

/** SHA-256 of a byte string (latin1); a string with wider characters is hashed as UTF-8. */
export function hashByteString(s: string): string {
  return createHash('sha256').update(s, /[^\x00-\xff]/.test(s) ? 'utf8' : 'latin1').digest('hex');
}

export function stringToSign(amzDate: string, scope: string, canonical: string): string {
  return `${ALGORITHM}\n${amzDate}\n${scope}\n${hashByteString(canonical)}`;
}

export function sha256Hex(data: string | Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

export function hmac(key: Buffer | string, data: string): Buffer {
  return createHmac('sha256', key).update(data).digest();
}

export function hmacHex(key: Buffer | string, data: string): string {
  return createHmac('sha256', key).update(data).digest('hex');
}

const KEY_CACHE_MAX = 256;
const keyCache = new Map<string, Buffer>();

/**
 * The derived key of one (secret, day, region, service). Cached (least
 * recently used first out, at most 256 entries) because one client signs many
 * requests a day; the cache is keyed by a hash of the secret, not the secret.
 */
export function signingKey(secret: string, day: string, region: string, service: string): Buffer {
  const id = `${day}/${region}/${service}/${sha256Hex(secret)}`;
  const hit = keyCache.get(id);
  if (hit) {
    keyCache.delete(id);
    keyCache.set(id, hit);
    return hit;
  }
  const key = hmac(hmac(hmac(hmac(`AWS4${secret}`, day), region), service), 'aws4_request');
  if (keyCache.size >= KEY_CACHE_MAX) keyCache.delete(keyCache.keys().next().value!);
  keyCache.set(id, key);
  return key;
}

/** Constant-time comparison of two signatures (hex text); a length difference returns false at once (it tells nothing secret). */
export function sameSignature(a: string, b: string): boolean {
  const x = Buffer.from(a, 'latin1');
  const y = Buffer.from(b, 'latin1');
  return x.length === y.length && timingSafeEqual(x, y);
}

// ---------------------------------------------------------------------------
// Dates

/** `20130524T000000Z` → Date, or null when malformed or not a real instant (month 13, Feb 30…). */
export function parseAmzDate(s: string | undefined): Date | null {
  if (!s) return null;
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(s);
  if (!m) return null;
  const d = new Date(Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +m[6]));
  return amzDate(d) === s ? d : null;
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** A `Date` header: ISO 8601 basic (as SigV4 prefers) or the HTTP date `Fri, 24 May 2013 00:00:00 GMT`; null when neither. */
export function parseDateHeader(s: string | undefined): Date | null {
  if (!s) return null;
  const iso = parseAmzDate(s);
  if (iso) return iso;
  const m = /^(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun), (\d{2}) ([A-Z][a-z]{2}) (\d{4}) (\d{2}):(\d{2}):(\d{2}) GMT$/.exec(s);
  if (!m) return null;
  const month = MONTHS.indexOf(m[2]);
  if (month < 0) return null;
  const d = new Date(Date.UTC(+m[3], month, +m[1], +m[4], +m[5], +m[6]));
  if (d.getUTCDate() !== +m[1] || d.getUTCHours() !== +m[4] || d.getUTCMinutes() !== +m[5] || d.getUTCSeconds() !== +m[6]) return null;
  return d;
}

/** Date → `20130524T000000Z`. */
export function amzDate(d: Date): string {
  return d.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
}

/** The credential scope `day/region/service/aws4_request`. */
export function credentialScope(day: string, region: string, service: string): string {
  return `${day}/${region}/${service}/aws4_request`;
}
