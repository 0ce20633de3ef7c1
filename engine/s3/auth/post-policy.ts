/**
 * Browser POST uploads (PostObject): the form carries a base64 policy
 * document and its SigV4 signature — HMAC-SHA256 of the base64 text with the
 * signing key of the credential scope. The policy says until when the form is
 * valid and what each form field may hold; every field must be covered.
 *
 * Refusals: missing or malformed signing fields → InvalidRequest /
 * AuthorizationQueryParametersError; unknown access key → InvalidAccessKeyId;
 * bad signature → SignatureDoesNotMatch; undecodable policy →
 * MalformedPOSTRequest (S3 says InvalidPolicyDocument); expired policy,
 * failed condition or uncovered field → AccessDenied "Invalid according to
 * Policy: …"; a size outside content-length-range → EntityTooLarge /
 * EntityTooSmall (as S3).
 */
import { GranaryError } from '../../common/errors.js';
import { ALGORITHM, hmacHex, parseAmzDate, sameSignature, signingKey } from './canonical.js';
import { checkSessionToken, type SecretLookup } from './sigv4.js';

/** Form fields a policy need not cover (S3's rule), besides x-ignore-*. */
const EXEMPT = new Set(['x-amz-signature', 'file', 'policy']);

export type PolicyCondition =
  | { kind: 'eq' | 'starts-with'; field: string; value: string }
  | { kind: 'content-length-range'; min: number; max: number };

export interface ParsedPolicy {
  expiration: Date;
  conditions: PolicyCondition[];
  /** The content-length-range limits (the tightest, if several), when the policy sets one. */
  lengthRange?: { min: number; max: number };
}
/** The older name of ParsedPolicy. */
export type PostPolicy = ParsedPolicy;

export type FormFields = Map<string, string> | Record<string, string>;

/** Field names are case-insensitive: lower-cases them; two spellings of one name are refused. */
export function normaliseFields(fields: FormFields): Map<string, string> {
  const out = new Map<string, string>();
  for (const [k, v] of fields instanceof Map ? fields : Object.entries(fields)) {
    const n = k.toLowerCase();
    if (out.has(n)) throw new GranaryError('MalformedPOSTRequest', `The form field ${n} is given more than once.`);
    out.set(n, v);
  }
  return out;
}

function denied(why: string): GranaryError {
  return new GranaryError('AccessDenied', `Invalid according to Policy: ${why}`);
}

function badPolicy(why: string): GranaryError {
  return new GranaryError('MalformedPOSTRequest', `Invalid Policy: ${why}`);
}

/**
 * Checks the form's signature and the policy's expiration. Returns the access
 * key that signed it and the parsed policy (as `conditions`, and as `policy`
 * for older callers); the caller then runs checkPolicyConditions.
 */
export function verifyPostPolicy(
  fields: FormFields,
  lookup: SecretLookup,
  opts: { region: string; now?: Date },
): { accessKey: string; conditions: ParsedPolicy; policy: ParsedPolicy } {
  const f = normaliseFields(fields);
  const algorithm = f.get('x-amz-algorithm');
  if (algorithm === undefined && (f.has('awsaccesskeyid') || f.has('signature'))) {
    throw new GranaryError('InvalidRequest', 'Signature Version 2 POST uploads are not supported; sign the policy with AWS4-HMAC-SHA256.');
  }
  if (algorithm !== ALGORITHM) throw new GranaryError('InvalidRequest', 'POST uploads must be signed with x-amz-algorithm AWS4-HMAC-SHA256.');
  const policyB64 = f.get('policy');
  const signature = f.get('x-amz-signature');
  const credential = f.get('x-amz-credential');
  const dateText = f.get('x-amz-date');
  if (!policyB64 || !signature || !credential || !dateText) {
    throw new GranaryError('InvalidRequest', 'A signed POST upload needs the form fields policy, x-amz-credential, x-amz-date and x-amz-signature.');
  }
  const parts = credential.split('/');
  if (parts.length < 5) throw new GranaryError('AuthorizationQueryParametersError', 'x-amz-credential is not access-key/YYYYMMDD/region/s3/aws4_request.');
  const [day, region, service, terminator] = parts.slice(-4);
  const accessKey = parts.slice(0, -4).join('/');
  if (!accessKey || !/^\d{8}$/.test(day) || terminator !== 'aws4_request') {
    throw new GranaryError('AuthorizationQueryParametersError', 'x-amz-credential is not access-key/YYYYMMDD/region/s3/aws4_request.');
  }
  if (region !== opts.region || service !== 's3') {
    throw new GranaryError('AuthorizationQueryParametersError', `x-amz-credential must be scoped to ${opts.region}/s3/aws4_request, not ${region}/${service}.`);
  }
  const date = parseAmzDate(dateText);
  if (!date || dateText.slice(0, 8) !== day) throw new GranaryError('AuthorizationQueryParametersError', 'x-amz-date must be YYYYMMDDTHHMMSSZ on the day of x-amz-credential.');
  if (!/^[0-9a-f]{64}$/.test(signature)) throw new GranaryError('SignatureDoesNotMatch', 'x-amz-signature must be 64 lower-case hex digits.');
  const creds = lookup(accessKey);
  if (!creds) throw new GranaryError('InvalidAccessKeyId');
  if (!sameSignature(hmacHex(signingKey(creds.secretKey, day, region, 's3'), policyB64), signature)) throw new GranaryError('SignatureDoesNotMatch');
  checkSessionToken(creds, f.get('x-amz-security-token'));

  const policy = parsePolicy(policyB64);
  if ((opts.now ?? new Date()).getTime() > policy.expiration.getTime()) throw denied('Policy expired.');
  return { accessKey, conditions: policy, policy };
}

/** Decodes and validates a base64 policy document (no signature check). */
export function parsePolicy(b64: string): ParsedPolicy {
  if (!/^[A-Za-z0-9+/\s]*={0,2}\s*$/.test(b64)) throw badPolicy('the policy is not base64.');
  let doc: unknown;
  try {
    doc = JSON.parse(Buffer.from(b64, 'base64').toString('utf8'));
  } catch {
    throw badPolicy('the policy is not base64-encoded JSON.');
  }
  if (!doc || typeof doc !== 'object' || Array.isArray(doc)) throw badPolicy('the policy must be a JSON object.');
  const { expiration: exp, conditions: conds } = doc as { expiration?: unknown; conditions?: unknown };
  const expiration = typeof exp === 'string' && /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/.test(exp) ? new Date(exp) : null;
  if (!expiration || Number.isNaN(expiration.getTime())) throw badPolicy('the policy needs an ISO 8601 expiration such as "2030-01-01T12:00:00.000Z".');
  if (!Array.isArray(conds)) throw badPolicy('the policy needs a conditions array.');
  const conditions: PolicyCondition[] = [];
  let lengthRange: ParsedPolicy['lengthRange'];
  const text = (v: unknown) => (typeof v === 'string' ? v : typeof v === 'number' && Number.isFinite(v) ? String(v) : null);
  for (const c of conds) {
    const shown = JSON.stringify(c)?.slice(0, 200);
    if (Array.isArray(c)) {
      const op = typeof c[0] === 'string' ? c[0].toLowerCase() : null;
      if (op === 'content-length-range') {
        const min = typeof c[1] === 'string' && /^\d+$/.test(c[1]) ? Number(c[1]) : c[1];
        const max = typeof c[2] === 'string' && /^\d+$/.test(c[2]) ? Number(c[2]) : c[2];
        if (c.length !== 3 || !Number.isSafeInteger(min) || !Number.isSafeInteger(max) || (min as number) < 0 || (max as number) < (min as number)) {
          throw badPolicy(`content-length-range needs two integers, 0 ≤ min ≤ max: ${shown}.`);
        }
        conditions.push({ kind: 'content-length-range', min: min as number, max: max as number });
        lengthRange = lengthRange ? { min: Math.max(lengthRange.min, min as number), max: Math.min(lengthRange.max, max as number) } : { min: min as number, max: max as number };
        continue;
      }
      const value = text(c[2]);
      if ((op === 'eq' || op === 'starts-with') && c.length === 3 && typeof c[1] === 'string' && c[1].startsWith('$') && c[1].length > 1 && value !== null) {
        conditions.push({ kind: op, field: c[1].slice(1).toLowerCase(), value });
        continue;
      }
      throw badPolicy(`unknown condition ${shown}.`);
    }
    if (c && typeof c === 'object') {
      const entries = Object.entries(c);
      const value = entries.length === 1 ? text(entries[0][1]) : null;
      if (value === null || !entries[0][0]) throw badPolicy(`a condition object must map one field to a value: ${shown}.`);
      conditions.push({ kind: 'eq', field: entries[0][0].replace(/^\$/, '').toLowerCase(), value });
      continue;
    }
    throw badPolicy(`unknown condition ${shown}.`);
  }
  return { expiration, conditions, ...(lengthRange ? { lengthRange } : {}) };
}

function describe(c: PolicyCondition): string {
  return c.kind === 'content-length-range' ? JSON.stringify(['content-length-range', c.min, c.max]) : JSON.stringify([c.kind, `$${c.field}`, c.value]);
}

/**
 * Every condition holds for the form, and every form field (except
 * x-amz-signature, file, policy and x-ignore-*) is covered by a condition.
 * `bucket` is the target bucket; `key` the key as the object will be stored
 * (default: the form's key field); `contentLength` the file's size, when
 * known (else the caller enforces policy.lengthRange while streaming).
 * The older call form passes the bucket name alone.
 */
export function checkPolicyConditions(
  policy: ParsedPolicy,
  fields: FormFields,
  target: string | { bucket: string; key?: string; contentLength?: number },
): void {
  const f = normaliseFields(fields);
  const t = typeof target === 'string' ? { bucket: target } : target;
  const values = new Map(f);
  values.set('bucket', t.bucket);
  if (t.key !== undefined) values.set('key', t.key);
  // The bucket is the request's own, whatever a form field says.
  const covered = new Set<string>(['bucket']);
  for (const c of policy.conditions) {
    if (c.kind === 'content-length-range') {
      if (t.contentLength === undefined) continue;
      if (t.contentLength > c.max) throw new GranaryError('EntityTooLarge', `Your proposed upload exceeds the maximum allowed size; Policy Condition failed: ${describe(c)}.`);
      if (t.contentLength < c.min) throw new GranaryError('EntityTooSmall', `Your proposed upload is smaller than the minimum allowed size; Policy Condition failed: ${describe(c)}.`);
      continue;
    }
    covered.add(c.field);
    const v = values.get(c.field);
    let ok: boolean;
    if (c.kind === 'eq') ok = (v ?? '') === c.value;
    else if (c.field === 'content-type' && v !== undefined) ok = v.split(',').every((part) => part.trim().startsWith(c.value));
    else ok = (v ?? '').startsWith(c.value);
    if (!ok) throw denied(`Policy Condition failed: ${describe(c)}`);
  }
  for (const name of f.keys()) {
    if (EXEMPT.has(name) || name.startsWith('x-ignore-') || covered.has(name)) continue;
    throw denied(`Extra input fields: ${name}`);
  }
}
