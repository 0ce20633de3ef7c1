import type { FastifyInstance } from 'fastify';
import type { SecurityEvent, SecurityEventsResponse } from '../../api/console/types.js';
import { sourceAddress, type ConsoleContext } from '../console-context.js';
import { ConsoleError } from '../console-error.js';
import { withSession } from '../session-auth.js';

const MAX_EVENTS = 200;

/** `GET /security/events?limit=N`: recent failed authentications and throttling, for admins (`admin:ServerInfo`). */
export function securityEventRoutes(app: FastifyInstance, ctx: ConsoleContext): void {
  app.get('/api/v1/security/events', withSession(ctx, {}, async (session, request): Promise<SecurityEventsResponse> => {
    const address = sourceAddress(request);
    const decision = await ctx.deps.authorizer.authorize(session.identity, { action: 'admin:ServerInfo', conditions: { 'aws:sourceip': [address] } });
    if (!decision.allowed) throw new ConsoleError('AccessDenied', 'Reading security events needs admin:ServerInfo.');
    const text = (request.query as Record<string, unknown>).limit;
    const limit = text === undefined ? 100 : Number(text);
    if (!Number.isInteger(limit) || limit < 1 || limit > MAX_EVENTS) throw new ConsoleError('InvalidRequest', `limit must be a whole number from 1 to ${MAX_EVENTS}.`);
    const events = ctx.deps.throttle.recent(limit).map((e): SecurityEvent => ({
      time: new Date(e.time).toISOString(),
      ...(e.accessKey !== undefined ? { accessKey: e.accessKey } : {}),
      address: e.address,
      failures: e.failures,
      delayMs: e.delayMs,
      ...(e.by ? { throttled: e.by } : {}),
    }));
    return { events };
  }));
}
