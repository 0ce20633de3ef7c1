import { GranaryError } from '../../common/errors.js';
import {
  amzDate,
  canonicalQuery,
  canonicalRequest,
  canonicalUri,
  hmac,
  parseAmzDate,
  sameSignature,
  signingKey,
  stringToSign,
  type Headers,
} from './canonical.js';

export interface AuthRequest {
  method: string;
  /** The path exactly as received (still percent-encoded). */
  rawPath: string;
  rawQuery: string;
  headers: Headers;
  now?: Date;
}

export interface Credentials {
  accessKey: string;
  secretKey: string;
}

/** undefined → InvalidAccessKeyId. */
export type SecretLookup = (accessKey: string) => Credentials | undefined;

export type PayloadMode =
  | { mode: 'sha256'; hash: string }
  | { mode: 'unsigned' }
  | { mode: 'streaming'; signed: boolean; trailer: boolean };

export type AuthResult =
  | { kind: 'anonymous' }
  | {
      kind: 'signed';
      accessKey: string;
      region: string;
      service: string;
      signedHeaders: string[];
      date: Date;
      signature: string;
      via: 'header' | 'presigned';
      payload: PayloadMode;
      signingKey: Buffer;
      scope: string;
    };

export interface AuthOptions {
  region: string;
  services?: string[];
  maxSkewMs?: number;
}

export const MAX_SKEW_MS = 15 * 60 * 1000;
export const MAX_PRESIGN_SECONDS = 7 * 24 * 3600;
const EMPTY_SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';

function header(h: Headers, name: string): string | undefined {
  const v = h[name];
  return Array.isArray(v) ? v.join(',') : v;
}

/**
 * AWS Signature Version 4, from the Authorization header or a presigned
 * query. Every refusal is a typed S3 error; the signature is compared in
 * constant time; nothing is read from the body here (see payload.ts).
 */
export function authenticate(req: AuthRequest, lookup: SecretLookup, opts: AuthOptions): AuthResult {
  const authz = header(req.headers, 'authorization');
  const presigned = /(^|&)X-Amz-Signature=/.test(req.rawQuery) || /(^|&)X-Amz-Algorithm=/.test(req.rawQuery);
  if (authz !== undefined && presigned) throw new GranaryError('InvalidRequest', 'Only one auth mechanism allowed; only the X-Amz-Algorithm query parameter or the Authorization header should be specified.');
  if (authz !== undefined) return headerAuth(req, authz, lookup, opts);
  if (presigned) return presignedAuth(req, lookup, opts);
  return { kind: 'anonymous' };
}

interface Credential { accessKey: string; day: string; region: string; service: string; scope: string }

function parseCredential(text: string, opts: AuthOptions, bad: (m: string) => GranaryError): Credential {
  const parts = text.split('/');
  if (parts.length < 5) throw bad(`the Credential ${JSON.stringify(text)} is not access-key/date/region/service/aws4_request`);
  // Access keys may contain '/': the last four parts are the scope.
  const [day, region, service, terminator] = parts.slice(-4);
  const accessKey = parts.slice(0, -4).join('/');
  if (!accessKey) throw bad('the Credential has no access key');
  if (!/^\d{8}$/.test(day)) throw bad(`the credential date ${JSON.stringify(day)} is not YYYYMMDD`);
  if (terminator !== 'aws4_request') throw bad('the credential scope must end with aws4_request');
  if (region !== opts.region) throw bad(`the region ${JSON.stringify(region)} is wrong; expecting ${JSON.stringify(opts.region)}`);
  if (!(opts.services ?? ['s3']).includes(service)) throw bad(`the service ${JSON.stringify(service)} is not served here`);
  return { accessKey, day, region, service, scope: `${day}/${region}/${service}/aws4_request` };
}

function checkSignedHeaders(signed: string[], headers: Headers, bad: (m: string) => GranaryError): void {
  if (!signed.includes('host')) throw bad('SignedHeaders must include host');
  for (let i = 1; i < signed.length; i++) if (signed[i - 1] >= signed[i]) throw bad('SignedHeaders must be lower-case, sorted and unique');
  for (const name of signed) if (name !== name.toLowerCase()) throw bad('SignedHeaders must be lower-case');
  // Headers that change what S3 does must be covered by the signature.
  for (const name of Object.keys(headers)) {
    if (name.startsWith('x-amz-') && name !== 'x-amz-content-sha256' && name !== 'x-amz-signature' && !signed.includes(name)) {
      throw new GranaryError('AccessDenied', `There were headers present in the request which were not signed: ${name}`);
    }
  }
}

function headerAuth(req: AuthRequest, authz: string, lookup: SecretLookup, opts: AuthOptions): AuthResult {
  const bad = (m: string) => new GranaryError('AuthorizationHeaderMalformed', `The authorization header is malformed; ${m}.`);
  if (authz.startsWith('AWS ')) throw new GranaryError('InvalidRequest', 'Signature Version 2 is not supported; sign requests with AWS Signature Version 4.');
  const m = /^AWS4-HMAC-SHA256 +(.*)$/s.exec(authz);
  if (!m) throw bad('the algorithm must be AWS4-HMAC-SHA256');
  const fields = new Map<string, string>();
  for (const part of m[1].split(',')) {
    const p = part.trim();
    const eq = p.indexOf('=');
    if (eq <= 0) throw bad(`${JSON.stringify(p)} is not Name=Value`);
    const name = p.slice(0, eq);
    if (fields.has(name)) throw bad(`${name} is given twice`);
    fields.set(name, p.slice(eq + 1));
  }
  const credential = fields.get('Credential');
  const signedText = fields.get('SignedHeaders');
  const signature = fields.get('Signature');
  if (!credential || !signedText || !signature || fields.size !== 3) throw bad('it needs exactly Credential, SignedHeaders and Signature');
  if (!/^[0-9a-f]{64}$/.test(signature)) throw bad('the Signature must be 64 lower-case hex digits');
  const cred = parseCredential(credential, opts, bad);
  const signed = signedText.split(';');
  checkSignedHeaders(signed, req.headers, bad);

  const dateText = header(req.headers, 'x-amz-date') ?? header(req.headers, 'date');
  const date = parseAmzDate(dateText);
  if (!date) throw new GranaryError('AccessDenied', 'AWS authentication requires a valid Date or x-amz-date header.');
  if (amzDate(date).slice(0, 8) !== cred.day) throw bad(`the credential date ${cred.day} does not match the request date ${amzDate(date).slice(0, 8)}`);
  const now = req.now ?? new Date();
  if (Math.abs(now.getTime() - date.getTime()) > (opts.maxSkewMs ?? MAX_SKEW_MS)) {
    throw new GranaryError('RequestTimeTooSkewed', `The difference between the request time (${date.toISOString()}) and the server's time (${now.toISOString()}) is more than 15 minutes.`);
  }

  const contentSha = header(req.headers, 'x-amz-content-sha256');
  let payload: PayloadMode;
  let payloadHash: string;
  if (contentSha === undefined) {
    // Only S3 insists on it; IAM and STS clients sign the body hash without sending it.
    if (cred.service === 's3') throw new GranaryError('InvalidRequest', 'Missing required header for this request: x-amz-content-sha256.');
    payload = { mode: 'unsigned' };
    payloadHash = EMPTY_SHA256;
  } else {
    payloadHash = contentSha;
    payload = payloadModeOf(contentSha);
  }

  const creds = lookup(cred.accessKey);
  if (!creds) throw new GranaryError('InvalidAccessKeyId');
  const key = signingKey(creds.secretKey, cred.day, cred.region, cred.service);
  const canonical = canonicalRequest(req.method, canonicalUri(req.rawPath), canonicalQuery(req.rawQuery), req.headers, signed, payloadHash);
  const expected = hmac(key, stringToSign(amzDate(date), cred.scope, canonical)).toString('hex');
  if (!sameSignature(expected, signature)) throw new GranaryError('SignatureDoesNotMatch');
  return { kind: 'signed', accessKey: cred.accessKey, region: cred.region, service: cred.service, signedHeaders: signed, date, signature, via: 'header', payload, signingKey: key, scope: cred.scope };
}

function payloadModeOf(contentSha: string): PayloadMode {
  switch (contentSha) {
    case 'UNSIGNED-PAYLOAD':
      return { mode: 'unsigned' };
    case 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD':
      return { mode: 'streaming', signed: true, trailer: false };
    case 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER':
      return { mode: 'streaming', signed: true, trailer: true };
    case 'STREAMING-UNSIGNED-PAYLOAD-TRAILER':
      return { mode: 'streaming', signed: false, trailer: true };
    default:
      if (!/^[0-9a-f]{64}$/.test(contentSha)) throw new GranaryError('InvalidArgument', 'x-amz-content-sha256 must be UNSIGNED-PAYLOAD, a STREAMING-… mode, or a SHA-256 in lower-case hex.');
      return { mode: 'sha256', hash: contentSha };
  }
}

function presignedAuth(req: AuthRequest, lookup: SecretLookup, opts: AuthOptions): AuthResult {
  const bad = (m: string) => new GranaryError('AuthorizationQueryParametersError', `Error parsing the presigned query parameters: ${m}.`);
  const q = new Map<string, string>();
  for (const part of req.rawQuery.split('&')) {
    const eq = part.indexOf('=');
    if (eq <= 0) continue;
    let v: string;
    try {
      v = decodeURIComponent(part.slice(eq + 1).replace(/\+/g, ' '));
    } catch {
      throw bad('a parameter has a malformed percent-escape');
    }
    const k = part.slice(0, eq);
    if (k.startsWith('X-Amz-') && q.has(k)) throw bad(`${k} is given twice`);
    q.set(k, v);
  }
  if (q.get('X-Amz-Algorithm') !== 'AWS4-HMAC-SHA256') throw bad('X-Amz-Algorithm must be AWS4-HMAC-SHA256');
  const credential = q.get('X-Amz-Credential');
  const dateText = q.get('X-Amz-Date');
  const expiresText = q.get('X-Amz-Expires');
  const signedText = q.get('X-Amz-SignedHeaders');
  const signature = q.get('X-Amz-Signature');
  if (!credential || !dateText || !expiresText || !signedText || !signature) throw bad('X-Amz-Credential, X-Amz-Date, X-Amz-Expires, X-Amz-SignedHeaders and X-Amz-Signature are required');
  if (!/^[0-9a-f]{64}$/.test(signature)) throw bad('X-Amz-Signature must be 64 lower-case hex digits');
  const cred = parseCredential(credential, opts, bad);
  if (!/^\d{1,6}$/.test(expiresText)) throw bad('X-Amz-Expires must be a number of seconds');
  const expires = Number(expiresText);
  if (expires < 1 || expires > MAX_PRESIGN_SECONDS) throw bad(`X-Amz-Expires must be between 1 and ${MAX_PRESIGN_SECONDS} seconds`);
  const date = /^\d{8}T\d{6}Z$/.test(dateText) ? parseAmzDate(dateText) : null;
  if (!date) throw bad('X-Amz-Date must be YYYYMMDDTHHMMSSZ');
  if (dateText.slice(0, 8) !== cred.day) throw bad('the credential date does not match X-Amz-Date');
  const signed = signedText.split(';');
  checkSignedHeaders(signed, req.headers, bad);
  const now = req.now ?? new Date();
  if (date.getTime() - now.getTime() > (opts.maxSkewMs ?? MAX_SKEW_MS)) throw new GranaryError('RequestTimeTooSkewed', 'The presigned URL is dated in the future.');
  if (now.getTime() > date.getTime() + expires * 1000) throw new GranaryError('AccessDenied', 'Request has expired.');

  const creds = lookup(cred.accessKey);
  if (!creds) throw new GranaryError('InvalidAccessKeyId');
  const key = signingKey(creds.secretKey, cred.day, cred.region, cred.service);
  const contentSha = header(req.headers, 'x-amz-content-sha256');
  const payloadHash = q.get('X-Amz-Content-Sha256') ?? (contentSha && signed.includes('x-amz-content-sha256') ? contentSha : 'UNSIGNED-PAYLOAD');
  const canonical = canonicalRequest(req.method, canonicalUri(req.rawPath), canonicalQuery(req.rawQuery, 'X-Amz-Signature'), req.headers, signed, payloadHash);
  const expected = hmac(key, stringToSign(dateText, cred.scope, canonical)).toString('hex');
  if (!sameSignature(expected, signature)) throw new GranaryError('SignatureDoesNotMatch');
  const payload: PayloadMode = payloadHash === 'UNSIGNED-PAYLOAD' ? { mode: 'unsigned' } : payloadModeOf(payloadHash);
  return { kind: 'signed', accessKey: cred.accessKey, region: cred.region, service: cred.service, signedHeaders: signed, date, signature, via: 'presigned', payload, signingKey: key, scope: cred.scope };
}
