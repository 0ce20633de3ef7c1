import { isGranaryError } from '../../common/errors.js';
import type { SecretLookup } from './sigv4.js';

/** Errors that mean "wrong credentials", counted per key and address for throttling. */
const CREDENTIAL_FAILURES = new Set(['SignatureDoesNotMatch', 'InvalidAccessKeyId', 'XAmzContentSHA256Mismatch']);

export function isCredentialFailure(err: unknown): boolean {
  return isGranaryError(err) && CREDENTIAL_FAILURES.has(err.code);
}

/** The access key a request claims, read before verifying it, so a throttled key is refused cheaply. */
export function claimedAccessKey(authorization: string | undefined, query: URLSearchParams): string | undefined {
  const credential = authorization ? /Credential=([^/,\s]+)\//.exec(authorization)?.[1] : query.get('X-Amz-Credential')?.split('/')[0];
  return credential || undefined;
}

/** SigV4's secret lookup over IAM's credentials (which also carry the identity). */
export function secretLookup(credentials: (accessKey: string) => { secretKey: string } | undefined): SecretLookup {
  return (accessKey) => {
    const c = credentials(accessKey);
    return c ? { accessKey, secretKey: c.secretKey } : undefined;
  };
}
