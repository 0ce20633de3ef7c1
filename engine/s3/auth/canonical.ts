import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

/** RFC 3986 encoding as SigV4 wants it: unreserved characters as they are, everything else %XX in upper case. */
export function uriEncode(s: string, keepSlash: boolean): string {
  let out = '';
  for (const b of Buffer.from(s, 'utf8')) {
    const c = String.fromCharCode(b);
    if ((b >= 0x41 && b <= 0x5a) || (b >= 0x61 && b <= 0x7a) || (b >= 0x30 && b <= 0x39) || c === '-' || c === '.' || c === '_' || c === '~' || (keepSlash && c === '/')) out += c;
    else out += '%' + b.toString(16).toUpperCase().padStart(2, '0');
  }
  return out;
}

/** Decodes %XX escapes to UTF-8 text; a malformed escape stays as it is (it then fails the signature, not the parser). */
function uriDecode(s: string): string {
  if (!s.includes('%')) return s;
  const bytes: number[] = [];
  for (let i = 0; i < s.length; i++) {
    if (s[i] === '%' && /^[0-9A-Fa-f]{2}$/.test(s.slice(i + 1, i + 3))) {
      bytes.push(parseInt(s.slice(i + 1, i + 3), 16));
      i += 2;
    } else {
      bytes.push(...Buffer.from(s[i], 'utf8'));
    }
  }
  return Buffer.from(bytes).toString('utf8');
}

/** S3's canonical URI: the path as sent, each segment normalised to one encoding (S3 does not double-encode). */
export function canonicalUri(rawPath: string): string {
  return rawPath.split('/').map((seg) => uriEncode(uriDecode(seg), false)).join('/') || '/';
}

export function canonicalQuery(rawQuery: string, exclude?: string): string {
  if (!rawQuery) return '';
  const pairs: [string, string][] = [];
  for (const part of rawQuery.split('&')) {
    if (!part) continue;
    const eq = part.indexOf('=');
    const k = uriEncode(uriDecode((eq < 0 ? part : part.slice(0, eq)).replace(/\+/g, '%20')), false);
    const v = eq < 0 ? '' : uriEncode(uriDecode(part.slice(eq + 1).replace(/\+/g, '%20')), false);
    if (exclude !== undefined && k === exclude) continue;
    pairs.push([k, v]);
  }
  pairs.sort(([a, x], [b, y]) => (a < b ? -1 : a > b ? 1 : x < y ? -1 : x > y ? 1 : 0));
  return pairs.map(([k, v]) => `${k}=${v}`).join('&');
}

export type Headers = Record<string, string | string[] | undefined>;

export function canonicalHeaders(headers: Headers, signed: string[]): string {
  return signed
    .map((name) => {
      const v = headers[name];
      const value = (Array.isArray(v) ? v : [v ?? '']).map((x) => x.trim().replace(/\s+/g, ' ')).join(',');
      return `${name}:${value}\n`;
    })
    .join('');
}

export function sha256Hex(data: string | Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

export function hmac(key: Buffer | string, data: string): Buffer {
  return createHmac('sha256', key).update(data).digest();
}

export function canonicalRequest(method: string, uri: string, query: string, headers: Headers, signed: string[], payloadHash: string): string {
  return [method, uri, query, canonicalHeaders(headers, signed), signed.join(';'), payloadHash].join('\n');
}

export function stringToSign(amzDate: string, scope: string, canonical: string): string {
  return ['AWS4-HMAC-SHA256', amzDate, scope, sha256Hex(canonical)].join('\n');
}

const keyCache = new Map<string, Buffer>();

/** The derived key of one (secret, day, region, service); cached, as clients sign many requests a day. */
export function signingKey(secret: string, day: string, region: string, service: string): Buffer {
  const id = `${sha256Hex(secret)}/${day}/${region}/${service}`;
  let key = keyCache.get(id);
  if (!key) {
    key = hmac(hmac(hmac(hmac(`AWS4${secret}`, day), region), service), 'aws4_request');
    if (keyCache.size > 1024) keyCache.clear();
    keyCache.set(id, key);
  }
  return key;
}

/** Constant time for equal lengths; a length difference says nothing secret. */
export function sameSignature(a: string, b: string): boolean {
  const x = Buffer.from(a, 'utf8');
  const y = Buffer.from(b, 'utf8');
  return x.length === y.length && timingSafeEqual(x, y);
}

/** `20130524T000000Z` → Date, or null. */
export function parseAmzDate(s: string | undefined): Date | null {
  if (!s) return null;
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(s);
  if (m) return new Date(Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +m[6]));
  const t = Date.parse(s);
  return Number.isNaN(t) ? null : new Date(t);
}

export function amzDate(d: Date): string {
  return d.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
}
