import { createHash } from 'node:crypto';
import { signRequest } from '../../engine/s3/auth/signer.js';

export interface Account { endpoint: string; accessKey: string; secretKey: string }

/**
 * One SigV4-signed request with fetch: the light client of the tests and the
 * s3 bench. The body is signed by its SHA-256 unless `unsigned` is set.
 */
export async function signedFetch(a: Account, method: string, path: string, body?: Buffer | string, opts: { headers?: Record<string, string>; unsigned?: boolean } = {}): Promise<Response> {
  const url = new URL(`${a.endpoint}${path}`);
  const payload = body === undefined ? undefined : Buffer.from(body);
  const hash = opts.unsigned ? 'UNSIGNED-PAYLOAD' : createHash('sha256').update(payload ?? '').digest('hex');
  const extra = { ...opts.headers, ...(payload ? { 'content-length': String(payload.length) } : {}) };
  const headers = signRequest({ method, url, headers: extra, payloadHash: hash, accessKey: a.accessKey, secretKey: a.secretKey, region: 'us-east-1', service: 's3' });
  delete headers.host;
  return fetch(url, { method, headers, ...(payload ? { body: payload } : {}) });
}
