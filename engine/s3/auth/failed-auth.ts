import { isGranaryError } from '../../common/errors.js';
import type { Credentials, SecretLookup } from './sigv4.js';

/** Errors that mean "wrong credentials", counted per key and address for throttling. */
const CREDENTIAL_FAILURES = new Set(['SignatureDoesNotMatch', 'InvalidAccessKeyId', 'XAmzContentSHA256Mismatch', 'InvalidToken']);

export function isCredentialFailure(err: unknown): boolean {
  return isGranaryError(err) && CREDENTIAL_FAILURES.has(err.code);
}

/** The access key a request claims, read before verifying it, so a throttled key is refused cheaply. */
export function claimedAccessKey(authorization: string | undefined, query: URLSearchParams): string | undefined {
  const credential = authorization ? /Credential=([^/,\s]+)\//.exec(authorization)?.[1] : query.get('X-Amz-Credential')?.split('/')[0];
  return credential || undefined;
}

/** SigV4's secret lookup over IAM's credentials (which also carry the identity). */
export function secretLookup(credentials: (accessKey: string) => { secretKey: string; session?: { tokenSha256: string; refusal?: Credentials['refusal'] } } | undefined): SecretLookup {
  return (accessKey) => {
    const c = credentials(accessKey);
    if (!c) return undefined;
    if (!c.session) return { accessKey, secretKey: c.secretKey };
    return { accessKey, secretKey: c.secretKey, sessionTokenSha256: c.session.tokenSha256, ...(c.session.refusal ? { refusal: c.session.refusal } : {}) };
  };
}
