import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { GranaryError } from '../../common/errors.js';
import type { HealthEvent, HealthSnapshot, HealthSource } from '../../api/health/types.js';
import { sourceAddress, type ConsoleContext, type ConsoleSession } from '../console-context.js';
import { ConsoleError } from '../console-error.js';
import { resolveSession } from '../session-auth.js';

/** A comment line this often keeps proxies and browsers from closing an idle stream. */
const HEARTBEAT_MS = 15_000;

/**
 * `GET /api/v1/health` (a HealthSnapshot) and `GET /api/v1/events` (server-sent
 * events, resumable with Last-Event-ID) for admins (`admin:ServerInfo`).
 * Without a health source (an engine started without one) both answer NotImplemented.
 */
export function healthRoutes(app: FastifyInstance, ctx: ConsoleContext, health: HealthSource | undefined, heartbeatMs = HEARTBEAT_MS): void {
  const guard = async (request: FastifyRequest): Promise<HealthSource> => {
    const session = await resolveSession(ctx, request);
    await mayRead(ctx, session, request);
    if (!health) throw new GranaryError('NotImplemented', 'This engine has no health monitor.');
    return health;
  };

  app.get('/api/v1/health', async (request): Promise<HealthSnapshot> => (await guard(request)).snapshot());

  app.get('/api/v1/events', async (request, reply) => {
    const source = await guard(request);
    const after = lastEventId(request);
    stream(source, after, reply, heartbeatMs);
    return reply;
  });
}

async function mayRead(ctx: ConsoleContext, session: ConsoleSession, request: FastifyRequest): Promise<void> {
  const decision = await ctx.deps.authorizer.authorize(session.identity, { action: 'admin:ServerInfo', conditions: { 'aws:sourceip': [sourceAddress(request)] } });
  if (!decision.allowed) throw new ConsoleError('AccessDenied', 'Reading drive health needs admin:ServerInfo.');
}

/** Last-Event-ID header, or `?lastEventId=` for clients that cannot set headers; 0 when absent. */
function lastEventId(request: FastifyRequest): number | undefined {
  const header = request.headers['last-event-id'];
  const query = (request.query as Record<string, unknown>).lastEventId;
  const text = typeof header === 'string' ? header : typeof query === 'string' ? query : undefined;
  if (text === undefined || text === '') return undefined;
  if (!/^\d{1,15}$/.test(text)) throw new ConsoleError('InvalidRequest', 'Last-Event-ID must be a whole number.');
  return Number(text);
}

function stream(source: HealthSource, after: number | undefined, reply: FastifyReply, heartbeatMs: number): void {
  reply.hijack();
  const res = reply.raw;
  res.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-store',
    'x-content-type-options': 'nosniff',
    connection: 'keep-alive',
    'x-accel-buffering': 'no',
  });
  const send = (e: HealthEvent) => res.write(`id: ${e.seq}\nevent: ${e.type}\ndata: ${JSON.stringify(e)}\n\n`);
  // Subscribe first so nothing falls between the replay and the live events; drop what the replay already sent.
  const queued: HealthEvent[] = [];
  let replaying = true;
  let sentUpTo = after ?? 0;
  const off = source.on((e) => {
    if (replaying) queued.push(e);
    else if (e.seq > sentUpTo) {
      sentUpTo = e.seq;
      send(e);
    }
  });
  res.write(`retry: 2000\n: granary health events\n\n`);
  if (after === undefined) {
    // A fresh stream starts from now; the snapshot says how things are.
    sentUpTo = source.snapshot().lastEventId;
  } else {
    const { events, complete } = source.since(after);
    if (!complete) res.write(`event: resync\ndata: ${JSON.stringify(source.snapshot())}\n\n`);
    for (const e of events) {
      send(e);
      sentUpTo = e.seq;
    }
  }
  replaying = false;
  for (const e of queued) if (e.seq > sentUpTo) { sentUpTo = e.seq; send(e); }
  const beat = setInterval(() => res.write(`: heartbeat ${new Date().toISOString()}\n\n`), heartbeatMs);
  const end = () => {
    clearInterval(beat);
    off();
  };
  res.once('close', end);
  res.once('error', end);
}
