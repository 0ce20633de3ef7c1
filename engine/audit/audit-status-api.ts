import type { FastifyInstance } from 'fastify';
import { authenticateAdmin, type AdminAuthDeps } from '../admin/admin-auth.js';
import { GranaryError, isGranaryError } from '../common/errors.js';
import type { Authorizer } from '../iam/authorizer.js';
import { annotate, noteDecision } from '../s3/request-notes.js';
import type { AuditLog } from './audit-log.js';

export const AUDIT_STATUS_PATH = '/granary/v1/audit';

export interface AuditStatusDeps extends AdminAuthDeps {
  authorizer: Authorizer;
  auditLog: Pick<AuditLog, 'targetStats'>;
}

/**
 * `GET /granary/v1/audit` on the S3 port: each target's delivery counts.
 * Behind the admin API's gates (allowed networks, SigV4) and admin:ServerInfo.
 */
export function auditStatusApi(deps: AuditStatusDeps): (app: FastifyInstance) => void {
  return (app) => {
    app.get(AUDIT_STATUS_PATH, async (request, reply) => {
      const raw = request.raw;
      annotate(raw, { api: 'admin', operation: 'GET audit' });
      reply.header('content-type', 'application/json');
      try {
        const url = raw.url ?? '/';
        const q = url.indexOf('?');
        const caller = await authenticateAdmin(deps, raw, 'admin', q < 0 ? url : url.slice(0, q), q < 0 ? '' : url.slice(q + 1));
        const decision = await deps.authorizer.authorize(caller.identity, { action: 'admin:ServerInfo', conditions: { 'aws:sourceip': [caller.address] } });
        noteDecision(raw, { action: 'admin:ServerInfo', resource: decision.resource, allowed: decision.allowed, reason: decision.reason });
        if (!decision.allowed) throw new GranaryError('AccessDenied', `Access denied: admin:ServerInfo is not allowed for ${caller.accessKey}.`);
        return reply.send(JSON.stringify({ targets: deps.auditLog.targetStats() }));
      } catch (err) {
        const e = isGranaryError(err) ? err : new GranaryError('InternalError');
        annotate(raw, { errorCode: e.code });
        reply.code(e.status);
        return reply.send(JSON.stringify({ Code: e.code, Message: e.message, RequestId: request.id }));
      }
    });
  };
}
