/**
 * AWS Signature Version 4 for the S3 API: the Authorization header, or a
 * presigned query. Nothing here reads the body; `payload` in the result says
 * how the body must be checked (payload.ts). Every refusal is a GranaryError:
 *
 * | case                                                     | code                               |
 * |----------------------------------------------------------|------------------------------------|
 * | no Authorization header and no X-Amz-* query auth        | (anonymous result, not an error)   |
 * | both header and query auth                               | InvalidRequest                     |
 * | Signature Version 2 (`AWS ak:sig`, `AWSAccessKeyId=`)    | InvalidRequest (only V4)           |
 * | SigV4a (`AWS4-ECDSA-P256-SHA256`)                        | InvalidRequest (not supported)     |
 * | malformed Authorization header / credential scope        | AuthorizationHeaderMalformed       |
 * | malformed presigned parameters, X-Amz-Expires ∉ 1..604800 | AuthorizationQueryParametersError  |
 * | missing or invalid x-amz-date / Date                     | AccessDenied (as S3)               |
 * | request time more than 15 min from the server's          | RequestTimeTooSkewed               |
 * | presigned URL dated more than 15 min in the future       | RequestTimeTooSkewed               |
 * | presigned URL expired                                    | AccessDenied "Request has expired" |
 * | an x-amz-* header present but not signed                 | AccessDenied (as S3)               |
 * | x-amz-content-sha256 missing (header auth, service s3)   | InvalidRequest (as S3)             |
 * | x-amz-content-sha256 not a hash nor a known mode         | InvalidArgument (as S3)            |
 * | unknown access key                                       | InvalidAccessKeyId                 |
 * | session token missing for temporary credentials          | AccessDenied                       |
 * | session token wrong, or given with long-term credentials | InvalidToken (as S3)               |
 * | session expired / revoked, its parent disabled or gone   | ExpiredToken / AccessDenied        |
 * | signature differs                                        | SignatureDoesNotMatch              |
 */
import { createHash } from 'node:crypto';
import { GranaryError } from '../../common/errors.js';
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
  lowerCaseHeaders,
  parseAmzDate,
  parseDateHeader,
  parseQuery,
  sameSignature,
  signingKey,
  stringToSign,
  type Headers,
} from './canonical.js';

export interface AuthRequest {
  method: string;
  /** The path exactly as received, still percent-encoded, without the query. */
  rawPath: string;
  /** The query exactly as received, without the '?'. */
  rawQuery: string;
  /** Header names in any case; values as Node gives them (latin1, one char per byte). */
  headers: Headers;
  now?: Date;
  /**
   * For services that sign the body without sending x-amz-content-sha256
   * (IAM, STS): the SHA-256 (hex) of the body, which the caller has read.
   * Without it such a request is checked as having an empty body.
   */
  bodySha256?: string;
}

export interface Credentials {
  accessKey: string;
  secretKey: string;
  /** Temporary credentials: requests must carry this X-Amz-Security-Token. */
  sessionToken?: string;
  /** Temporary credentials known by the SHA-256 (hex) of their token only (IAM keeps no token). */
  sessionTokenSha256?: string;
  /** Temporary credentials that may not be used: refused once the signature and token are verified. */
  refusal?: { code: 'ExpiredToken' | 'AccessDenied'; message: string };
}

/** undefined → InvalidAccessKeyId. */
export type SecretLookup = (accessKey: string) => Credentials | undefined;

/** What the body must be checked against: a hex SHA-256, nothing, or aws-chunked framing. */
export type PayloadMode =
  | { mode: 'sha256'; hash: string }
  | { mode: 'unsigned' }
  | { mode: 'streaming'; signed: boolean; trailer: boolean };

export type SignedAuth = {
  kind: 'signed';
  accessKey: string;
  region: string;
  service: string;
  signedHeaders: string[];
  date: Date;
  /** The request's signature: the seed of an aws-chunked body's chunk signatures. */
  signature: string;
  via: 'header' | 'presigned';
  payload: PayloadMode;
  signingKey: Buffer;
  scope: string;
};

export type AuthResult = { kind: 'anonymous' } | SignedAuth;

export interface AuthOptions {
  region: string;
  /** Services a credential scope may name; default ['s3'] (add 'iam', 'sts' for those endpoints). */
  services?: string[];
  /** Allowed clock difference; default 15 minutes. */
  maxSkewMs?: number;
}

export const MAX_SKEW_MS = 15 * 60 * 1000;
export const MAX_PRESIGN_SECONDS = 7 * 24 * 3600;

const TOKEN = /^[a-z0-9!#$%&'*+.^_`|~-]+$/;
const SIG_HEX = /^[0-9a-f]{64}$/;

type Bad = (message: string) => GranaryError;

function one(h: Record<string, string | string[]>, name: string): string | undefined {
  const v = h[name];
  return Array.isArray(v) ? v.join(',') : v;
}

/**
 * Authenticates one request. Returns `{kind: 'anonymous'}` when it carries no
 * authentication at all (the caller decides whether that is allowed).
 */
export function authenticate(req: AuthRequest, lookup: SecretLookup, opts: AuthOptions): AuthResult {
  const headers = lowerCaseHeaders(req.headers);
  const query = parseQuery(req.rawQuery);
  const authz = headers['authorization'];
  const queryNames = new Set(query.map(([k]) => k.toLowerCase()));
  const queryAuth = ['x-amz-algorithm', 'x-amz-credential', 'x-amz-signature', 'x-amz-signedheaders'].some((k) => queryNames.has(k));
  const queryV2 = queryNames.has('awsaccesskeyid') && queryNames.has('signature');
  if (authz !== undefined && (queryAuth || queryV2)) {
    throw new GranaryError('InvalidRequest', 'Only one auth mechanism allowed; only the X-Amz-Algorithm query parameter or the Authorization header should be specified.');
  }
  if (authz !== undefined) {
    if (Array.isArray(authz)) throw malformedHeader('the request has more than one Authorization header');
    return headerAuth(req, headers, authz, lookup, opts);
  }
  if (queryV2 && !queryAuth) throw new GranaryError('InvalidRequest', 'Signature Version 2 presigned URLs are not supported; use AWS Signature Version 4 (X-Amz-Algorithm=AWS4-HMAC-SHA256).');
  if (queryAuth) return presignedAuth(req, headers, query, lookup, opts);
  return { kind: 'anonymous' };
}

function malformedHeader(m: string): GranaryError {
  return new GranaryError('AuthorizationHeaderMalformed', `The authorization header is malformed; ${m}.`);
}

function malformedQuery(m: string): GranaryError {
  return new GranaryError('AuthorizationQueryParametersError', `Error parsing the presigned query parameters; ${m}.`);
}

interface Credential {
  accessKey: string;
  day: string;
  region: string;
  service: string;
  scope: string;
}

function parseCredential(text: string, opts: AuthOptions, bad: Bad): Credential {
  const parts = text.split('/');
  if (parts.length < 5) throw bad(`the Credential ${JSON.stringify(text)} is not access-key/YYYYMMDD/region/service/aws4_request`);
  // An access key could hold '/': the last four parts are the scope.
  const [day, region, service, terminator] = parts.slice(-4);
  const accessKey = parts.slice(0, -4).join('/');
  if (!accessKey) throw bad('the Credential has no access key');
  if (!/^\d{8}$/.test(day) || !parseAmzDate(`${day}T000000Z`)) throw bad(`the credential date ${JSON.stringify(day)} is not YYYYMMDD`);
  if (terminator !== 'aws4_request') throw bad(`the credential scope must end with aws4_request, not ${JSON.stringify(terminator)}`);
  if (region !== opts.region) throw bad(`the region ${JSON.stringify(region)} is wrong; expecting ${JSON.stringify(opts.region)}`);
  const services = opts.services ?? ['s3'];
  if (!services.includes(service)) throw bad(`the service ${JSON.stringify(service)} is not served here; expecting ${services.map((s) => JSON.stringify(s)).join(' or ')}`);
  return { accessKey, day, region, service, scope: credentialScope(day, region, service) };
}

function parseSignedHeaders(text: string, bad: Bad): string[] {
  const signed = text.split(';');
  for (const name of signed) {
    if (!name) throw bad('SignedHeaders has an empty header name');
    if (!TOKEN.test(name)) throw bad(`SignedHeaders must be lower-case header names; ${JSON.stringify(name)} is not`);
  }
  for (let i = 1; i < signed.length; i++) if (signed[i - 1] >= signed[i]) throw bad('SignedHeaders must be sorted and without repeats');
  if (!signed.includes('host')) throw bad('SignedHeaders must include host');
  return signed;
}

/** S3's rule: every x-amz-* header present must be signed (x-amz-content-sha256 is bound by the canonical request itself in header auth). */
function checkUnsignedAmzHeaders(headers: Record<string, string | string[]>, signed: string[], exempt: string | null): void {
  const unsigned = Object.keys(headers).filter((n) => n.startsWith('x-amz-') && n !== exempt && !signed.includes(n));
  if (unsigned.length) throw new GranaryError('AccessDenied', `There were headers present in the request which were not signed: ${unsigned.sort().join(', ')}.`);
}

function checkSkew(date: Date, now: Date, opts: AuthOptions): void {
  if (Math.abs(now.getTime() - date.getTime()) > (opts.maxSkewMs ?? MAX_SKEW_MS)) {
    throw new GranaryError('RequestTimeTooSkewed', `The difference between the request time (${date.toISOString()}) and the server's time (${now.toISOString()}) is too large.`);
  }
}

/** After the signature: the token must be the very one issued with temporary credentials, and only with them. */
export function checkSessionToken(creds: Credentials, given: string | undefined): void {
  const temporary = creds.sessionToken !== undefined || creds.sessionTokenSha256 !== undefined;
  if (!temporary) {
    if (given !== undefined) throw new GranaryError('InvalidToken', 'The provided security token is invalid: these access keys are not temporary credentials.');
    return;
  }
  if (given === undefined) throw new GranaryError('AccessDenied', 'Temporary credentials need their session token (X-Amz-Security-Token).');
  const matches = creds.sessionToken !== undefined ? sameSignature(creds.sessionToken, given) : sameSignature(createHash('sha256').update(given).digest('hex'), creds.sessionTokenSha256!);
  if (!matches) throw new GranaryError('InvalidToken');
  if (creds.refusal) throw new GranaryError(creds.refusal.code, creds.refusal.message);
}

export function payloadModeOf(contentSha: string): PayloadMode {
  switch (contentSha) {
    case UNSIGNED_PAYLOAD:
      return { mode: 'unsigned' };
    case 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD':
      return { mode: 'streaming', signed: true, trailer: false };
    case 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER':
      return { mode: 'streaming', signed: true, trailer: true };
    case 'STREAMING-UNSIGNED-PAYLOAD-TRAILER':
      return { mode: 'streaming', signed: false, trailer: true };
    case 'STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD':
    case 'STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD-TRAILER':
      throw new GranaryError('InvalidRequest', 'Signature Version 4A (ECDSA) streaming payloads are not supported; use STREAMING-AWS4-HMAC-SHA256-PAYLOAD.');
    default:
      if (!/^[0-9a-fA-F]{64}$/.test(contentSha)) {
        throw new GranaryError('InvalidArgument', 'x-amz-content-sha256 must be UNSIGNED-PAYLOAD, STREAMING-AWS4-HMAC-SHA256-PAYLOAD[-TRAILER], STREAMING-UNSIGNED-PAYLOAD-TRAILER, or a SHA-256 in hex.');
      }
      return { mode: 'sha256', hash: contentSha.toLowerCase() };
  }
}

function verify(lookup: SecretLookup, cred: Credential, amzStamp: string, canonical: () => string, signature: string): { creds: Credentials; key: Buffer } {
  const creds = lookup(cred.accessKey);
  if (!creds) throw new GranaryError('InvalidAccessKeyId');
  const key = signingKey(creds.secretKey, cred.day, cred.region, cred.service);
  const expected = hmacHex(key, stringToSign(amzStamp, cred.scope, canonical()));
  if (!sameSignature(expected, signature)) throw new GranaryError('SignatureDoesNotMatch');
  return { creds, key };
}

function headerAuth(req: AuthRequest, headers: Record<string, string | string[]>, authz: string, lookup: SecretLookup, opts: AuthOptions): SignedAuth {
  const bad = malformedHeader;
  if (authz === 'AWS' || authz.startsWith('AWS ')) {
    throw new GranaryError('InvalidRequest', 'Signature Version 2 is not supported; sign requests with AWS Signature Version 4 (AWS4-HMAC-SHA256).');
  }
  const m = /^(\S+)(?:[ \t]+(.*))?$/s.exec(authz.trim());
  if (!m) throw bad('it is empty');
  if (m[1] === 'AWS4-ECDSA-P256-SHA256') throw new GranaryError('InvalidRequest', 'Signature Version 4A (AWS4-ECDSA-P256-SHA256) is not supported; use AWS4-HMAC-SHA256.');
  if (m[1] !== ALGORITHM) throw bad(`the algorithm ${JSON.stringify(m[1].slice(0, 40))} is not supported; expecting AWS4-HMAC-SHA256`);
  if (m[2] === undefined) throw bad('it has no Credential, SignedHeaders and Signature');

  const fields = new Map<string, string>();
  for (const part of m[2].split(',')) {
    const p = part.trim();
    if (!p) throw bad('it has an empty component (a stray comma)');
    const eq = p.indexOf('=');
    if (eq <= 0) throw bad(`the component ${JSON.stringify(p.slice(0, 40))} is not Name=Value`);
    const name = p.slice(0, eq);
    const value = p.slice(eq + 1);
    if (name !== 'Credential' && name !== 'SignedHeaders' && name !== 'Signature') throw bad(`the component ${JSON.stringify(name.slice(0, 40))} is unknown; expecting Credential, SignedHeaders and Signature`);
    if (fields.has(name)) throw bad(`${name} is given twice`);
    if (!value) throw bad(`${name} is empty`);
    if (/\s/.test(value)) throw bad(`${name} contains whitespace`);
    fields.set(name, value);
  }
  for (const name of ['Credential', 'SignedHeaders', 'Signature']) if (!fields.has(name)) throw bad(`the ${name} component is missing`);
  const signature = fields.get('Signature')!;
  if (!SIG_HEX.test(signature)) throw bad('the Signature must be 64 lower-case hex digits');
  const cred = parseCredential(fields.get('Credential')!, opts, bad);
  const signed = parseSignedHeaders(fields.get('SignedHeaders')!, bad);

  // The request time: x-amz-date (ISO 8601 basic), else Date.
  const xAmzDate = one(headers, 'x-amz-date')?.trim();
  let date: Date | null;
  if (xAmzDate !== undefined) {
    date = parseAmzDate(xAmzDate);
    if (!date) throw new GranaryError('AccessDenied', 'AWS authentication requires a valid Date or x-amz-date header; x-amz-date must be YYYYMMDDTHHMMSSZ.');
  } else {
    date = parseDateHeader(one(headers, 'date')?.trim());
    if (!date) throw new GranaryError('AccessDenied', 'AWS authentication requires a valid Date or x-amz-date header.');
  }
  const stamp = amzDate(date);
  if (stamp.slice(0, 8) !== cred.day) throw bad(`the credential date ${cred.day} is not the day of the request date ${stamp.slice(0, 8)}`);
  checkSkew(date, req.now ?? new Date(), opts);

  const contentSha = one(headers, 'x-amz-content-sha256')?.trim();
  let payloadHash: string;
  let payload: PayloadMode;
  if (contentSha !== undefined) {
    payload = payloadModeOf(contentSha);
    payloadHash = contentSha;
  } else if (cred.service === 's3') {
    throw new GranaryError('InvalidRequest', 'Missing required header for this request: x-amz-content-sha256.');
  } else {
    // IAM and STS clients sign the body's hash without sending it.
    payloadHash = req.bodySha256?.toLowerCase() ?? EMPTY_SHA256;
    payload = { mode: 'sha256', hash: payloadHash };
  }
  checkUnsignedAmzHeaders(headers, signed, 'x-amz-content-sha256');

  const { creds, key } = verify(lookup, cred, stamp, () => canonicalRequest(req.method, canonicalUri(req.rawPath), canonicalQuery(req.rawQuery), headers, signed, payloadHash), signature);
  checkSessionToken(creds, one(headers, 'x-amz-security-token')?.trim());
  return { kind: 'signed', accessKey: cred.accessKey, region: cred.region, service: cred.service, signedHeaders: signed, date, signature, via: 'header', payload, signingKey: key, scope: cred.scope };
}

function presignedAuth(req: AuthRequest, headers: Record<string, string | string[]>, query: [string, string][], lookup: SecretLookup, opts: AuthOptions): SignedAuth {
  const bad = malformedQuery;
  const q = new Map<string, string>();
  const seen = new Set<string>();
  for (const [k, v] of query) {
    const lower = k.toLowerCase();
    if (!lower.startsWith('x-amz-')) continue;
    if (seen.has(lower)) throw bad(`${k} is given more than once`);
    seen.add(lower);
    q.set(k, v);
  }
  const algorithm = q.get('X-Amz-Algorithm');
  const credential = q.get('X-Amz-Credential');
  const dateText = q.get('X-Amz-Date');
  const expiresText = q.get('X-Amz-Expires');
  const signedText = q.get('X-Amz-SignedHeaders');
  const signature = q.get('X-Amz-Signature');
  if (!algorithm || !credential || !dateText || !expiresText || !signedText || !signature) {
    throw bad('query-string authentication version 4 requires the X-Amz-Algorithm, X-Amz-Credential, X-Amz-Signature, X-Amz-Date, X-Amz-SignedHeaders, and X-Amz-Expires parameters');
  }
  if (algorithm === 'AWS4-ECDSA-P256-SHA256') throw new GranaryError('InvalidRequest', 'Signature Version 4A (AWS4-ECDSA-P256-SHA256) is not supported; use AWS4-HMAC-SHA256.');
  if (algorithm !== ALGORITHM) throw bad(`X-Amz-Algorithm ${JSON.stringify(algorithm.slice(0, 40))} is not supported; expecting AWS4-HMAC-SHA256`);
  if (!SIG_HEX.test(signature)) throw bad('X-Amz-Signature must be 64 lower-case hex digits');
  const cred = parseCredential(credential, opts, bad);
  if (!/^\d{1,7}$/.test(expiresText)) throw bad('X-Amz-Expires must be a whole number of seconds');
  const expires = Number(expiresText);
  if (expires < 1) throw bad('X-Amz-Expires must be at least 1 second');
  if (expires > MAX_PRESIGN_SECONDS) throw bad(`X-Amz-Expires must be less than a week (in seconds), that is at most ${MAX_PRESIGN_SECONDS}`);
  const date = parseAmzDate(dateText);
  if (!date) throw bad('X-Amz-Date must be YYYYMMDDTHHMMSSZ');
  if (dateText.slice(0, 8) !== cred.day) throw bad(`the credential date ${cred.day} is not the day of X-Amz-Date ${dateText.slice(0, 8)}`);
  const signed = parseSignedHeaders(signedText, bad);

  const now = req.now ?? new Date();
  if (date.getTime() - now.getTime() > (opts.maxSkewMs ?? MAX_SKEW_MS)) {
    throw new GranaryError('RequestTimeTooSkewed', `The presigned URL is dated ${date.toISOString()}, too far ahead of the server's time (${now.toISOString()}).`);
  }
  if (now.getTime() > date.getTime() + expires * 1000) throw new GranaryError('AccessDenied', 'Request has expired.');

  // The payload hash: the signed X-Amz-Content-Sha256 parameter, else a signed header, else UNSIGNED-PAYLOAD.
  const headerSha = one(headers, 'x-amz-content-sha256')?.trim();
  const payloadHash = q.get('X-Amz-Content-Sha256') ?? (headerSha !== undefined && signed.includes('x-amz-content-sha256') ? headerSha : UNSIGNED_PAYLOAD);
  const payload = payloadModeOf(payloadHash);
  checkUnsignedAmzHeaders(headers, signed, null);

  const { creds, key } = verify(lookup, cred, dateText, () => canonicalRequest(req.method, canonicalUri(req.rawPath), canonicalQuery(req.rawQuery, 'X-Amz-Signature'), headers, signed, payloadHash), signature);
  checkSessionToken(creds, q.get('X-Amz-Security-Token') ?? one(headers, 'x-amz-security-token')?.trim());
  return { kind: 'signed', accessKey: cred.accessKey, region: cred.region, service: cred.service, signedHeaders: signed, date, signature, via: 'presigned', payload, signingKey: key, scope: cred.scope };
}
