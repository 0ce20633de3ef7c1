import type { FastifyInstance } from 'fastify';
import { GranaryError } from '../../common/errors.js';
import type { TrafficSummary } from '../../api/traffic/types.js';
import { sourceAddress, type ConsoleContext } from '../console-context.js';
import { ConsoleError } from '../console-error.js';
import { resolveSession } from '../session-auth.js';

/**
 * `GET /api/v1/traffic`: the S3 requests of the last hour per minute, for
 * admins (`admin:ServerInfo`, as drive health). Without a traffic source it
 * answers NotImplemented.
 */
export function trafficRoutes(app: FastifyInstance, ctx: ConsoleContext, traffic: (() => TrafficSummary) | undefined): void {
  app.get('/api/v1/traffic', async (request): Promise<TrafficSummary> => {
    const session = await resolveSession(ctx, request);
    const decision = await ctx.deps.authorizer.authorize(session.identity, { action: 'admin:ServerInfo', conditions: { 'aws:sourceip': [sourceAddress(request)] } });
    if (!decision.allowed) throw new ConsoleError('AccessDenied', 'Reading S3 traffic needs admin:ServerInfo.');
    if (!traffic) throw new GranaryError('NotImplemented', 'This engine keeps no traffic window.');
    return traffic();
  });
}
