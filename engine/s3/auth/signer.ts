import { amzDate, canonicalQuery, canonicalRequest, canonicalUri, hmac, sha256Hex, signingKey, stringToSign } from './canonical.js';

/**
 * The client side of SigV4, for tests, benchmarks and `granary admin`: the
 * server's own canonicalisation, so a request it signs verifies.
 */
export interface SignInput {
  method: string;
  url: URL;
  /** Lower-case names; `host` is added when missing. */
  headers: Record<string, string>;
  payloadHash: string;
  accessKey: string;
  secretKey: string;
  region: string;
  service: string;
  date?: Date;
  /** Sign every header given (default: host and x-amz-* only, as SDKs do). */
  signAll?: boolean;
}

export function signRequest(input: SignInput): Record<string, string> {
  const date = input.date ?? new Date();
  const stamp = amzDate(date);
  const headers: Record<string, string> = { ...input.headers, host: input.headers.host ?? input.url.host, 'x-amz-date': stamp };
  if (input.service === 's3') headers['x-amz-content-sha256'] = input.payloadHash;
  const signed = Object.keys(headers)
    .filter((h) => input.signAll || h === 'host' || h.startsWith('x-amz-') || h === 'content-md5' || h === 'content-type')
    .sort();
  const scope = `${stamp.slice(0, 8)}/${input.region}/${input.service}/aws4_request`;
  const canonical = canonicalRequest(input.method, canonicalUri(input.url.pathname), canonicalQuery(input.url.search.slice(1)), headers, signed, input.payloadHash);
  const key = signingKey(input.secretKey, stamp.slice(0, 8), input.region, input.service);
  const signature = hmac(key, stringToSign(stamp, scope, canonical)).toString('hex');
  headers.authorization = `AWS4-HMAC-SHA256 Credential=${input.accessKey}/${scope}, SignedHeaders=${signed.join(';')}, Signature=${signature}`;
  return headers;
}

/** A presigned URL (query-string authentication) valid for `expires` seconds. */
export function presignUrl(input: Omit<SignInput, 'headers' | 'payloadHash'> & { expires: number }): URL {
  const date = input.date ?? new Date();
  const stamp = amzDate(date);
  const scope = `${stamp.slice(0, 8)}/${input.region}/${input.service}/aws4_request`;
  const url = new URL(input.url);
  url.searchParams.set('X-Amz-Algorithm', 'AWS4-HMAC-SHA256');
  url.searchParams.set('X-Amz-Credential', `${input.accessKey}/${scope}`);
  url.searchParams.set('X-Amz-Date', stamp);
  url.searchParams.set('X-Amz-Expires', String(input.expires));
  url.searchParams.set('X-Amz-SignedHeaders', 'host');
  const canonical = canonicalRequest(input.method, canonicalUri(url.pathname), canonicalQuery(url.search.slice(1)), { host: url.host }, ['host'], 'UNSIGNED-PAYLOAD');
  const key = signingKey(input.secretKey, stamp.slice(0, 8), input.region, input.service);
  url.searchParams.set('X-Amz-Signature', hmac(key, stringToSign(stamp, scope, canonical)).toString('hex'));
  return url;
}

/**
 * An aws-chunked body for `STREAMING-AWS4-HMAC-SHA256-PAYLOAD[-TRAILER]` or
 * `STREAMING-UNSIGNED-PAYLOAD-TRAILER`, given the request's own signature.
 */
export function encodeAwsChunked(chunks: Uint8Array[], o: { signed: boolean; trailers?: Record<string, string>; seedSignature?: string; secretKey?: string; region?: string; date?: Date }): Buffer {
  const out: Buffer[] = [];
  const date = o.date ?? new Date();
  const stamp = amzDate(date);
  const scope = `${stamp.slice(0, 8)}/${o.region ?? 'us-east-1'}/s3/aws4_request`;
  const key = o.signed ? signingKey(o.secretKey!, stamp.slice(0, 8), o.region ?? 'us-east-1', 's3') : null;
  let previous = o.seedSignature ?? '';
  for (const data of [...chunks, new Uint8Array(0)]) {
    let line = data.length.toString(16);
    if (key) {
      const sig = hmac(key, ['AWS4-HMAC-SHA256-PAYLOAD', stamp, scope, previous, sha256Hex(''), sha256Hex(data)].join('\n')).toString('hex');
      line += `;chunk-signature=${sig}`;
      previous = sig;
    }
    out.push(Buffer.from(`${line}\r\n`), Buffer.from(data));
    if (data.length > 0) out.push(Buffer.from('\r\n'));
  }
  if (o.trailers) {
    const text = Object.entries(o.trailers).map(([k, v]) => `${k}:${v}\n`).join('');
    out.push(Buffer.from(text.replace(/\n/g, '\r\n')));
    if (key) {
      const sig = hmac(key, ['AWS4-HMAC-SHA256-TRAILER', stamp, scope, previous, sha256Hex(text)].join('\n')).toString('hex');
      out.push(Buffer.from(`x-amz-trailer-signature:${sig}\r\n`));
    }
  }
  out.push(Buffer.from('\r\n'));
  return Buffer.concat(out);
}
