import { createHash, randomBytes } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { GranaryError, isGranaryError } from '../common/errors.js';
import type { AuthThrottle } from '../iam/auth-throttle.js';
import type { Authorizer } from '../iam/authorizer.js';
import type { IamService } from '../iam/iam-service.js';
import type { Identity } from '../iam/identity.js';
import type { StorageInfo } from '../object/object-layer.js';
import { authenticate } from '../s3/auth/sigv4.js';
import { annotate, noteDecision } from '../s3/request-notes.js';
import { identityFields } from '../s3/s3-server.js';
import { readSmallBody } from '../s3/small-body.js';
import type { AdminNetworks } from './admin-network.js';
import { ADMIN_ROUTES, type AdminCall } from './admin-routes.js';

export const ADMIN_PREFIX = '/granary/admin/v1/';

export interface AdminDeps {
  iam: IamService;
  authorizer: Authorizer;
  networks: AdminNetworks;
  region: string;
  storageInfo: () => StorageInfo;
  /** Root secret rotation; undefined when root comes from the environment (rotate it there). */
  rotateRoot?: () => Promise<{ accessKey: string; secretKey: string }>;
  throttle?: AuthThrottle;
  /** Refusals and changes, for the audit log. */
  audit: (entry: Record<string, unknown>) => void;
  version: string;
}

const MAX_BODY = 256 * 1024;

/**
 * The admin API: JSON over SigV4 on the S3 port, under /granary/admin/v1/.
 * Two gates before any work: the caller's address must be in the allowed
 * networks, and the signed identity must hold the route's admin action.
 */
export function adminApi(deps: AdminDeps): (app: FastifyInstance) => void {
  return (app) => {
    app.all(`${ADMIN_PREFIX}*`, async (request: FastifyRequest, reply: FastifyReply) => {
      const raw = request.raw;
      const address = (raw.socket.remoteAddress ?? '').replace(/^::ffff:/, '');
      const url = raw.url ?? '/';
      const q = url.indexOf('?');
      const rawPath = q < 0 ? url : url.slice(0, q);
      const rawQuery = q < 0 ? '' : url.slice(q + 1);
      const path = rawPath.slice(ADMIN_PREFIX.length);
      let identity: Identity | undefined;
      annotate(raw, { api: 'admin', operation: `${raw.method} ${path}` });
      try {
        if (!deps.networks.allows(address)) {
          deps.audit({ api: 'admin', refused: 'network', address, path });
          throw new GranaryError('AccessDenied', `The admin API does not answer requests from ${address}; allowed networks: ${deps.networks.cidrs.join(', ')}.`);
        }
        const claimed = /Credential=([^/,\s]+)\//.exec(raw.headers.authorization ?? '')?.[1];
        const throttled = deps.throttle?.check(claimed, address);
        if (throttled?.throttled) throw new GranaryError('SlowDown', `Too many failed authentications; retry in ${Math.ceil(throttled.retryAfterMs / 1000)} s.`);
        const body = await readSmallBody(raw, MAX_BODY, 'An admin request body');
        const declared = raw.headers['x-amz-content-sha256'];
        if (declared !== createHash('sha256').update(body).digest('hex')) {
          throw new GranaryError('XAmzContentSHA256Mismatch', 'Admin requests must sign their body: x-amz-content-sha256 must be the SHA-256 of the body.');
        }
        let auth;
        try {
          auth = authenticate({ method: raw.method ?? 'GET', rawPath, rawQuery, headers: raw.headers }, (k) => {
            const c = deps.iam.credentials(k);
            return c ? { accessKey: k, secretKey: c.secretKey } : undefined;
          }, { region: deps.region });
        } catch (err) {
          if (isGranaryError(err) && ['SignatureDoesNotMatch', 'InvalidAccessKeyId'].includes(err.code)) deps.throttle?.recordFailure(claimed, address);
          throw err;
        }
        if (auth.kind !== 'signed') {
          deps.audit({ api: 'admin', refused: 'anonymous', address, path });
          throw new GranaryError('AccessDenied', 'The admin API needs requests signed with AWS Signature Version 4.');
        }
        identity = deps.iam.credentials(auth.accessKey)!.identity;
        const id = identity;
        annotate(raw, identityFields(id));
        const match = matchRoute(raw.method ?? 'GET', path);
        if (!match) throw new GranaryError('NotImplemented', `${raw.method} ${rawPath} is not an admin API call.`);
        annotate(raw, { operation: `${raw.method} ${match.route.path}` });
        const call: AdminCall = { deps, identity: id, params: match.params, query: new URLSearchParams(rawQuery), json: () => (body.length ? parseJson(body) : {}), rawBody: body.toString('utf8') };
        const needed = match.route.action(call);
        for (const action of needed === null ? [] : [needed].flat()) {
          const decision = deps.authorizer.authorize(id, { action, conditions: { 'aws:sourceip': [address] } });
          noteDecision(raw, { action, resource: decision.resource, allowed: decision.allowed, reason: decision.reason });
          if (!decision.allowed) {
            deps.audit({ api: 'admin', refused: 'policy', address, accessKey: auth.accessKey, action, path, reason: decision.reason });
            throw new GranaryError('AccessDenied', `Access denied: ${action} is not allowed for ${auth.accessKey}.`);
          }
        }
        const result = await match.route.run(call);
        if (raw.method !== 'GET') deps.audit({ api: 'admin', change: `${raw.method} ${path}`, address, accessKey: auth.accessKey });
        reply.code(result === undefined ? 204 : 200);
        reply.header('content-type', 'application/json');
        return reply.send(result === undefined ? undefined : JSON.stringify(result));
      } catch (err) {
        const e = isGranaryError(err) ? err : new GranaryError('InternalError');
        annotate(raw, { errorCode: e.code });
        if (!isGranaryError(err)) deps.audit({ api: 'admin', error: String((err as Error)?.stack ?? err), path });
        reply.code(e.status);
        reply.header('content-type', 'application/json');
        if (e.code === 'SlowDown') reply.header('retry-after', '1');
        return reply.send(JSON.stringify({ Code: e.code, Message: e.message, RequestId: request.id }));
      }
    });
  };
}

function matchRoute(method: string, path: string) {
  const segments = path.split('/').filter((s) => s !== '');
  for (const route of ADMIN_ROUTES) {
    if (route.method !== method) continue;
    const pattern = route.path.split('/').filter((s) => s !== '');
    if (pattern.length !== segments.length) continue;
    const params: Record<string, string> = {};
    let ok = true;
    for (let i = 0; i < pattern.length && ok; i++) {
      if (pattern[i].startsWith(':')) {
        try {
          params[pattern[i].slice(1)] = decodeURIComponent(segments[i]);
        } catch {
          ok = false;
        }
      } else {
        ok = pattern[i] === segments[i];
      }
    }
    if (ok) return { route, params };
  }
  return undefined;
}

function parseJson(body: Buffer): unknown {
  try {
    return JSON.parse(body.toString('utf8'));
  } catch (err) {
    throw new GranaryError('InvalidInput', `The request body is not valid JSON: ${(err as Error).message}`);
  }
}

export function newSecret(): string {
  return randomBytes(30).toString('base64url');
}
