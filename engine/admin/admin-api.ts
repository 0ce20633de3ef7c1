import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AuditLog } from '../audit/audit-log.js';
import { GranaryError, isGranaryError } from '../common/errors.js';
import type { AuthThrottle } from '../iam/auth-throttle.js';
import type { Authorizer } from '../iam/authorizer.js';
import type { IamService } from '../iam/iam-service.js';
import type { Healer } from '../heal/healer.js';
import type { MetricsTokens } from '../metrics/metrics-token.js';
import type { StorageInfo } from '../object/object-layer.js';
import { annotate, noteDecision } from '../s3/request-notes.js';
import { authenticateAdmin } from './admin-auth.js';
import type { AdminNetworks } from './admin-network.js';
import { ADMIN_ROUTES, type AdminCall } from './admin-routes.js';
import type { StsAdmin } from './sts-routes.js';
import type { HealthSnapshot } from '../api/health/types.js';
import type { LdapAdmin } from './ldap-routes.js';

export const ADMIN_PREFIX = '/granary/admin/v1/';

export interface AdminDeps {
  iam: IamService;
  authorizer: Authorizer;
  networks: AdminNetworks;
  region: string;
  storageInfo: () => Promise<StorageInfo>;
  /** Drive and set health (engine/health); `GET health` answers NotImplemented without it. */
  health?: () => HealthSnapshot;
  /** Root secret rotation; undefined when root comes from the environment (rotate it there). */
  rotateRoot?: () => Promise<{ accessKey: string; secretKey: string }>;
  throttle?: AuthThrottle;
  /** Refusals and changes, for the audit log. */
  audit: (entry: Record<string, unknown>) => void;
  /** Audit targets, configured at run time (`audit/targets`). */
  auditLog?: Pick<AuditLog, 'listTargets' | 'putTarget' | 'deleteTarget'>;
  /** Bearer tokens for Prometheus (`prometheus-token`); absent when metrics are not served. */
  metricsTokens?: Pick<MetricsTokens, 'issue'>;
  /** Temporary credentials and identity providers (engine/sts); absent when the server runs without STS. */
  sts?: StsAdmin;
  /** LDAP policy mappings (always) and the directory sync (with --ldap-url). */
  ldap?: LdapAdmin;
  /** Heal sweeps and their progress (engine/heal); absent: the heal routes answer NotImplemented. */
  healer?: Pick<Healer, 'startSweep' | 'status' | 'replaceDrive'>;
  version: string;
}

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
      annotate(raw, { api: 'admin', operation: `${raw.method} ${path}` });
      try {
        const caller = await authenticateAdmin(deps, raw, 'admin', rawPath, rawQuery);
        const { body } = caller;
        const id = caller.identity;
        const match = matchRoute(raw.method ?? 'GET', path);
        if (!match) throw new GranaryError('NotImplemented', `${raw.method} ${rawPath} is not an admin API call.`);
        annotate(raw, { operation: `${raw.method} ${match.route.path}` });
        const call: AdminCall = { deps, identity: id, params: match.params, query: new URLSearchParams(rawQuery), json: () => (body.length ? parseJson(body) : {}), rawBody: body.toString('utf8') };
        const needed = match.route.action(call);
        for (const action of needed === null ? [] : [needed].flat()) {
          const decision = await deps.authorizer.authorize(id, { action, conditions: { 'aws:sourceip': [address] } });
          noteDecision(raw, { action, resource: decision.resource, allowed: decision.allowed, reason: decision.reason, ...(decision.decidedBy ? { policy: decision.decidedBy.policy, statement: decision.decidedBy.statement, ...(decision.decidedBy.sid !== undefined ? { sid: decision.decidedBy.sid } : {}) } : {}) });
          if (!decision.allowed) {
            deps.audit({ api: 'admin', refused: 'policy', address, accessKey: caller.accessKey, action, path, reason: decision.reason });
            throw new GranaryError('AccessDenied', `Access denied: ${action} is not allowed for ${caller.accessKey}.`);
          }
        }
        const result = await match.route.run(call);
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
