import { GranaryError } from '../../common/errors.js';
import { hmac, parseAmzDate, sameSignature, signingKey } from './canonical.js';
import type { SecretLookup } from './sigv4.js';

/** Form fields a policy need not cover (S3's rule). */
const EXEMPT = new Set(['x-amz-signature', 'file', 'policy']);

export interface PostPolicy {
  expiration: Date;
  conditions: Condition[];
  /** Limits of content-length-range, if the policy sets one. */
  lengthRange?: { min: number; max: number };
}

type Condition = { kind: 'eq' | 'starts-with'; field: string; value: string } | { kind: 'length'; min: number; max: number };

function denied(why: string): GranaryError {
  return new GranaryError('AccessDenied', `Invalid according to Policy: ${why}`);
}

/**
 * Browser POST uploads: the form carries a base64 policy and its SigV4
 * signature (HMAC of the policy with the signing key). Field names are
 * case-insensitive; returns the policy and the access key that signed it.
 */
export function verifyPostPolicy(fields: Map<string, string>, lookup: SecretLookup, opts: { region: string; now?: Date }): { accessKey: string; policy: PostPolicy } {
  const get = (n: string) => fields.get(n);
  if (get('x-amz-algorithm') !== 'AWS4-HMAC-SHA256') throw new GranaryError('InvalidRequest', 'POST uploads must be signed with x-amz-algorithm AWS4-HMAC-SHA256.');
  const policyB64 = get('policy');
  const signature = get('x-amz-signature');
  const credential = get('x-amz-credential');
  const dateText = get('x-amz-date');
  if (!policyB64 || !signature || !credential || !dateText) throw new GranaryError('InvalidRequest', 'A signed POST upload needs the fields policy, x-amz-credential, x-amz-date and x-amz-signature.');
  const parts = credential.split('/');
  if (parts.length < 5) throw new GranaryError('AuthorizationQueryParametersError', 'x-amz-credential is not access-key/date/region/s3/aws4_request.');
  const [day, region, service, terminator] = parts.slice(-4);
  const accessKey = parts.slice(0, -4).join('/');
  if (region !== opts.region || service !== 's3' || terminator !== 'aws4_request' || !/^\d{8}$/.test(day)) {
    throw new GranaryError('AuthorizationQueryParametersError', `x-amz-credential must be scoped to ${opts.region}/s3/aws4_request.`);
  }
  const date = parseAmzDate(dateText);
  if (!date || dateText.slice(0, 8) !== day) throw new GranaryError('AuthorizationQueryParametersError', 'x-amz-date must be YYYYMMDDTHHMMSSZ on the credential\'s day.');
  const creds = lookup(accessKey);
  if (!creds) throw new GranaryError('InvalidAccessKeyId');
  const expected = hmac(signingKey(creds.secretKey, day, region, 's3'), policyB64).toString('hex');
  if (!sameSignature(expected, signature)) throw new GranaryError('SignatureDoesNotMatch');

  const policy = parsePolicy(policyB64);
  if ((opts.now ?? new Date()).getTime() > policy.expiration.getTime()) throw denied('Policy expired.');
  return { accessKey, policy };
}

function parsePolicy(b64: string): PostPolicy {
  let doc: { expiration?: unknown; conditions?: unknown };
  try {
    doc = JSON.parse(Buffer.from(b64, 'base64').toString('utf8'));
  } catch {
    throw new GranaryError('MalformedPOSTRequest', 'The policy is not base64-encoded JSON.');
  }
  const expiration = typeof doc.expiration === 'string' ? new Date(doc.expiration) : null;
  if (!expiration || Number.isNaN(expiration.getTime())) throw new GranaryError('MalformedPOSTRequest', 'The policy needs an ISO 8601 expiration.');
  if (!Array.isArray(doc.conditions)) throw new GranaryError('MalformedPOSTRequest', 'The policy needs a conditions array.');
  const conditions: Condition[] = [];
  let lengthRange: PostPolicy['lengthRange'];
  for (const c of doc.conditions as unknown[]) {
    if (Array.isArray(c)) {
      const [op, a, b] = c as unknown[];
      if (typeof op === 'string' && op.toLowerCase() === 'content-length-range') {
        const min = Number(a);
        const max = Number(b);
        if (!Number.isInteger(min) || !Number.isInteger(max) || min < 0 || max < min) throw new GranaryError('MalformedPOSTRequest', 'content-length-range needs two integers, min ≤ max.');
        conditions.push({ kind: 'length', min, max });
        lengthRange = { min, max };
      } else if ((op === 'eq' || op === 'starts-with') && typeof a === 'string' && a.startsWith('$') && typeof b === 'string') {
        conditions.push({ kind: op, field: a.slice(1).toLowerCase(), value: b });
      } else {
        throw new GranaryError('MalformedPOSTRequest', `Unknown policy condition ${JSON.stringify(c)}.`);
      }
    } else if (c && typeof c === 'object') {
      const entries = Object.entries(c);
      if (entries.length !== 1 || typeof entries[0][1] !== 'string') throw new GranaryError('MalformedPOSTRequest', `Unknown policy condition ${JSON.stringify(c)}.`);
      conditions.push({ kind: 'eq', field: entries[0][0].toLowerCase(), value: entries[0][1] as string });
    } else {
      throw new GranaryError('MalformedPOSTRequest', `Unknown policy condition ${JSON.stringify(c)}.`);
    }
  }
  return { expiration, conditions, ...(lengthRange ? { lengthRange } : {}) };
}

/** Every condition holds for the form, and every form field is covered by one. */
export function checkPolicyConditions(policy: PostPolicy, fields: Map<string, string>, bucket: string): void {
  const values = new Map(fields);
  values.set('bucket', bucket);
  const covered = new Set<string>(['bucket']);
  for (const c of policy.conditions) {
    if (c.kind === 'length') continue;
    covered.add(c.field);
    const v = values.get(c.field) ?? '';
    if (c.kind === 'eq' ? v !== c.value : !v.startsWith(c.value)) {
      throw denied(`Policy Condition failed: ["${c.kind}", "$${c.field}", "${c.value}"]`);
    }
  }
  for (const name of fields.keys()) {
    if (EXEMPT.has(name) || name.startsWith('x-ignore-') || covered.has(name)) continue;
    throw denied(`Extra input fields: ${name}`);
  }
}
