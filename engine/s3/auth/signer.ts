/**
 * The client side of SigV4, for tests, benchmarks and `granary admin`. It
 * uses the server's own canonicalisation (canonical.ts), so what it signs
 * verifies; the AWS documentation's examples check both against AWS.
 */
import { createHash } from 'node:crypto';
import {
  ALGORITHM,
  EMPTY_SHA256,
  UNSIGNED_PAYLOAD,
  amzDate,
  canonicalQuery,
  canonicalRequest,
  canonicalUri,
  credentialScope,
  hmacHex,
  signingKey,
  stringToSign,
} from './canonical.js';
import { trailerText } from './payload.js';

export interface SignInput {
  method: string;
  /** The URL as it will be sent: its pathname and search are signed as they are (already percent-encoded). */
  url: URL;
  /** Header names in any case; `host` is taken from the URL when missing. */
  headers: Record<string, string>;
  /** Hex SHA-256 of the body, UNSIGNED-PAYLOAD, or a STREAMING-… mode. */
  payloadHash: string;
  accessKey: string;
  secretKey: string;
  region: string;
  service: string;
  date?: Date;
  /** Sign every header given (default: host, x-amz-*, content-md5 and content-type, as SDKs do). */
  signAll?: boolean;
  /** Sign exactly these headers (lower case; host is always added). */
  signedHeaders?: string[];
  /** Temporary credentials: sent (and signed) as x-amz-security-token. */
  sessionToken?: string;
}

export interface Signed {
  /** The headers to send, lower-case names, with authorization, x-amz-date and (for S3) x-amz-content-sha256. */
  headers: Record<string, string>;
  signature: string;
  signingKey: Buffer;
  scope: string;
  date: Date;
  canonicalRequest: string;
  stringToSign: string;
}

/** Signs a request with the Authorization header; returns the details (the signature seeds aws-chunked bodies). */
export function sign(input: SignInput): Signed {
  const date = new Date(Math.floor((input.date ?? new Date()).getTime() / 1000) * 1000);
  const stamp = amzDate(date);
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(input.headers)) headers[k.toLowerCase()] = v;
  headers.host ??= input.url.host;
  headers['x-amz-date'] = stamp;
  if (input.service === 's3') headers['x-amz-content-sha256'] = input.payloadHash;
  if (input.sessionToken !== undefined) headers['x-amz-security-token'] = input.sessionToken;
  delete headers.authorization;
  const wanted = input.signedHeaders ? new Set([...input.signedHeaders.map((h) => h.toLowerCase()), 'host']) : null;
  const signed = Object.keys(headers)
    .filter((h) => (wanted ? wanted.has(h) || h.startsWith('x-amz-') : input.signAll || h === 'host' || h.startsWith('x-amz-') || h === 'content-md5' || h === 'content-type'))
    .sort();
  const day = stamp.slice(0, 8);
  const scope = credentialScope(day, input.region, input.service);
  const canonical = canonicalRequest(input.method, canonicalUri(input.url.pathname), canonicalQuery(input.url.search.slice(1)), headers, signed, input.payloadHash);
  const key = signingKey(input.secretKey, day, input.region, input.service);
  const sts = stringToSign(stamp, scope, canonical);
  const signature = hmacHex(key, sts);
  headers.authorization = `${ALGORITHM} Credential=${input.accessKey}/${scope}, SignedHeaders=${signed.join(';')}, Signature=${signature}`;
  return { headers, signature, signingKey: key, scope, date, canonicalRequest: canonical, stringToSign: sts };
}

/** The headers to send, with Authorization. */
export function signRequest(input: SignInput): Record<string, string> {
  return sign(input).headers;
}

export interface PresignInput {
  method: string;
  url: URL;
  accessKey: string;
  secretKey: string;
  region: string;
  service: string;
  /** Seconds the URL stays valid (1..604800). */
  expires: number;
  date?: Date;
  /** Further headers the request will carry and that the URL signs (lower-case names); host is always signed. */
  headers?: Record<string, string>;
  /** Signed as X-Amz-Content-Sha256 when given; otherwise the payload is UNSIGNED-PAYLOAD. */
  payloadHash?: string;
  sessionToken?: string;
}

/** A presigned URL (query-string authentication). */
export function presignUrl(input: PresignInput): URL {
  const date = input.date ?? new Date();
  const stamp = amzDate(date);
  const day = stamp.slice(0, 8);
  const scope = credentialScope(day, input.region, input.service);
  const url = new URL(input.url);
  const headers: Record<string, string> = { host: url.host };
  for (const [k, v] of Object.entries(input.headers ?? {})) headers[k.toLowerCase()] = v;
  const signed = Object.keys(headers).sort();
  const params: [string, string][] = [
    ['X-Amz-Algorithm', ALGORITHM],
    ['X-Amz-Credential', `${input.accessKey}/${scope}`],
    ['X-Amz-Date', stamp],
    ['X-Amz-Expires', String(input.expires)],
    ['X-Amz-SignedHeaders', signed.join(';')],
  ];
  if (input.payloadHash !== undefined) params.push(['X-Amz-Content-Sha256', input.payloadHash]);
  if (input.sessionToken !== undefined) params.push(['X-Amz-Security-Token', input.sessionToken]);
  // Appended as encoded text so that the rest of the query stays exactly as the caller wrote it.
  const extra = params.map(([k, v]) => `${k}=${encodeURIComponent(v)}`).join('&');
  url.search = url.search.length > 1 ? `${url.search.slice(1)}&${extra}` : extra;
  const canonical = canonicalRequest(input.method, canonicalUri(url.pathname), canonicalQuery(url.search.slice(1)), headers, signed, input.payloadHash ?? UNSIGNED_PAYLOAD);
  const signature = hmacHex(signingKey(input.secretKey, day, input.region, input.service), stringToSign(stamp, scope, canonical));
  url.search = `${url.search.slice(1)}&X-Amz-Signature=${signature}`;
  return url;
}

export interface ChunkedEncodeOptions {
  /** STREAMING-AWS4-HMAC-SHA256-PAYLOAD[-TRAILER] (true) or STREAMING-UNSIGNED-PAYLOAD-TRAILER (false). */
  signed: boolean;
  /** Trailing headers (name → value); sent sorted by name. */
  trailers?: Record<string, string>;
  /** The request's signature (signed mode). */
  seedSignature?: string;
  /** The signing key and scope, as sign() returns them… */
  signingKey?: Buffer;
  scope?: string;
  /** …or the secret and scope parts to derive them. */
  secretKey?: string;
  region?: string;
  service?: string;
  /** The request time (x-amz-date). */
  date?: Date;
}

/**
 * An aws-chunked body: one chunk per element of `chunks` (empty elements are
 * skipped: a zero-size chunk would end the body), the final zero-size chunk,
 * the trailer (signed in signed mode) and the closing CRLF.
 */
export function encodeAwsChunked(chunks: Uint8Array[], o: ChunkedEncodeOptions): Buffer {
  const out: Buffer[] = [];
  const stamp = amzDate(o.date ?? new Date());
  const day = stamp.slice(0, 8);
  const scope = o.scope ?? credentialScope(day, o.region ?? 'us-east-1', o.service ?? 's3');
  let key: Buffer | null = null;
  if (o.signed) {
    if (o.signingKey) key = o.signingKey;
    else if (o.secretKey !== undefined) key = signingKey(o.secretKey, day, o.region ?? 'us-east-1', o.service ?? 's3');
    else throw new Error('encodeAwsChunked: signed mode needs signingKey or secretKey');
  }
  let previous = o.seedSignature ?? '';
  for (const data of [...chunks.filter((c) => c.length > 0), new Uint8Array(0)]) {
    let line = data.length.toString(16);
    if (key) {
      const dataHash = data.length ? sha256Bytes(data) : EMPTY_SHA256;
      previous = hmacHex(key, `AWS4-HMAC-SHA256-PAYLOAD\n${stamp}\n${scope}\n${previous}\n${EMPTY_SHA256}\n${dataHash}`);
      line += `;chunk-signature=${previous}`;
    }
    out.push(Buffer.from(`${line}\r\n`));
    if (data.length > 0) out.push(Buffer.from(data.buffer, data.byteOffset, data.byteLength), Buffer.from('\r\n'));
  }
  if (o.trailers) {
    const entries = Object.entries(o.trailers).map(([k, v]) => [k.toLowerCase(), v] as [string, string]);
    const text = trailerText(entries);
    out.push(Buffer.from(text.replace(/\n/g, '\r\n'), 'latin1'));
    if (key) {
      const digest = sha256Latin1(text);
      out.push(Buffer.from(`x-amz-trailer-signature:${hmacHex(key, `AWS4-HMAC-SHA256-TRAILER\n${stamp}\n${scope}\n${previous}\n${digest}`)}\r\n`));
    }
  }
  out.push(Buffer.from('\r\n'));
  return Buffer.concat(out);
}

function sha256Bytes(data: Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

function sha256Latin1(text: string): string {
  return createHash('sha256').update(text, 'latin1').digest('hex');
}
