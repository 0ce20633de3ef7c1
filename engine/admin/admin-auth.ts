import { createHash } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { GranaryError } from '../common/errors.js';
import type { AuthThrottle } from '../iam/auth-throttle.js';
import type { IamService } from '../iam/iam-service.js';
import type { Identity } from '../iam/identity.js';
import { claimedAccessKey, isCredentialFailure, secretLookup } from '../s3/auth/failed-auth.js';
import { authenticate } from '../s3/auth/sigv4.js';
import { annotate } from '../s3/request-notes.js';
import { identityFields } from '../s3/s3-server.js';
import { readSmallBody } from '../s3/small-body.js';
import type { AdminNetworks } from './admin-network.js';

export interface AdminAuthDeps {
  iam: IamService;
  networks: AdminNetworks;
  region: string;
  throttle?: AuthThrottle;
  /** Refusals, for the audit log. */
  audit: (entry: Record<string, unknown>) => void;
}

export interface AdminCaller {
  identity: Identity;
  accessKey: string;
  address: string;
  body: Buffer;
}

const MAX_BODY = 256 * 1024;

/**
 * The gates every admin-style request on the S3 port passes before any
 * work (the admin API, the audit status): the caller's address must be in
 * the allowed networks, and the request, body included, must carry a valid
 * SigV4 signature. What the caller may then do is the route's to check.
 */
export async function authenticateAdmin(deps: AdminAuthDeps, raw: IncomingMessage, api: string, rawPath: string, rawQuery: string): Promise<AdminCaller> {
  const address = (raw.socket.remoteAddress ?? '').replace(/^::ffff:/, '');
  if (!deps.networks.allows(address)) {
    deps.audit({ api, refused: 'network', address, path: rawPath });
    throw new GranaryError('AccessDenied', `The admin API does not answer requests from ${address}; allowed networks: ${deps.networks.cidrs.join(', ')}.`);
  }
  const claimed = claimedAccessKey(raw.headers.authorization, new URLSearchParams(rawQuery));
  const throttled = deps.throttle?.check(claimed, address);
  if (throttled?.throttled) throw new GranaryError('SlowDown', `Too many failed authentications; retry in ${Math.ceil(throttled.retryAfterMs / 1000)} s.`);
  const body = await readSmallBody(raw, MAX_BODY, 'An admin request body');
  const declared = raw.headers['x-amz-content-sha256'];
  if (declared !== createHash('sha256').update(body).digest('hex')) {
    throw new GranaryError('XAmzContentSHA256Mismatch', 'Admin requests must sign their body: x-amz-content-sha256 must be the SHA-256 of the body.');
  }
  let auth;
  try {
    auth = authenticate({ method: raw.method ?? 'GET', rawPath, rawQuery, headers: raw.headers }, secretLookup((k) => deps.iam.credentials(k)), { region: deps.region });
  } catch (err) {
    if (isCredentialFailure(err)) deps.throttle?.recordFailure(claimed, address);
    throw err;
  }
  if (auth.kind !== 'signed') {
    deps.audit({ api, refused: 'anonymous', address, path: rawPath });
    throw new GranaryError('AccessDenied', 'The admin API needs requests signed with AWS Signature Version 4.');
  }
  const identity = deps.iam.credentials(auth.accessKey)!.identity;
  annotate(raw, identityFields(identity));
  return { identity, accessKey: auth.accessKey, address, body };
}
