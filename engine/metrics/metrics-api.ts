import type { FastifyInstance } from 'fastify';
import { GranaryError, isGranaryError } from '../common/errors.js';
import type { Authorizer } from '../iam/authorizer.js';
import type { IamService } from '../iam/iam-service.js';
import { annotate, noteDecision } from '../s3/request-notes.js';
import { identityFields } from '../s3/s3-server.js';
import type { MetricsAuthMode } from './metrics-auth.js';
import type { MetricsTokens } from './metrics-token.js';

export const METRICS_PATH = '/granary/v1/metrics';

/** The action a token's access key must still hold at each scrape (MinIO's name for it). */
export const METRICS_ACTION = 'admin:Prometheus';

export interface MetricsApiDeps {
  auth: MetricsAuthMode;
  /** The Prometheus text exposition and its content type. */
  exposition: () => Promise<{ text: string; contentType: string }>;
  tokens: Pick<MetricsTokens, 'verify'>;
  iam: Pick<IamService, 'credentials'>;
  authorizer: Pick<Authorizer, 'authorize'>;
}

/**
 * `GET /granary/v1/metrics` on the S3 port. In `jwt` mode the token is
 * checked, then the access key it names must still be enabled and still
 * hold admin:Prometheus: removing a user or the right ends their tokens,
 * without a revocation list.
 */
export function metricsApi(deps: MetricsApiDeps): (app: FastifyInstance) => void {
  return (app) => {
    app.get(METRICS_PATH, async (request, reply) => {
      const raw = request.raw;
      annotate(raw, { api: 'admin', operation: 'GET metrics' });
      try {
        if (deps.auth === 'jwt') await authorizeScrape(deps, raw.headers.authorization, (raw.socket.remoteAddress ?? '').replace(/^::ffff:/, ''), raw);
        const { text, contentType } = await deps.exposition();
        reply.header('content-type', contentType);
        reply.header('cache-control', 'no-store');
        return reply.send(text);
      } catch (err) {
        const e = isGranaryError(err) ? err : new GranaryError('InternalError');
        annotate(raw, { errorCode: e.code });
        if (e.status === 401) reply.header('www-authenticate', 'Bearer realm="granary metrics"');
        reply.code(e.status);
        reply.header('content-type', 'application/json');
        return reply.send(JSON.stringify({ Code: e.code, Message: e.message, RequestId: request.id }));
      }
    });
  };
}

async function authorizeScrape(deps: MetricsApiDeps, authorization: string | undefined, address: string, raw: Parameters<typeof annotate>[0]): Promise<void> {
  const m = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? '');
  if (!m) {
    throw new GranaryError('XGranaryInvalidToken', 'The metrics need a bearer token (Authorization: Bearer TOKEN): make one with `granary admin prometheus-token`, or start the server with --metrics-auth public.');
  }
  const subject = await deps.tokens.verify(m[1]);
  const identity = deps.iam.credentials(subject)?.identity;
  if (!identity) throw new GranaryError('AccessDenied', `The access key this metrics token was made for (${subject}) no longer exists or is disabled.`);
  annotate(raw, identityFields(identity));
  const decision = await deps.authorizer.authorize(identity, { action: METRICS_ACTION, conditions: { 'aws:sourceip': [address] } });
  noteDecision(raw, { action: METRICS_ACTION, resource: decision.resource, allowed: decision.allowed, reason: decision.reason });
  if (!decision.allowed) throw new GranaryError('AccessDenied', `Access denied: ${METRICS_ACTION} is no longer allowed for ${subject}, the access key this metrics token was made for.`);
}
