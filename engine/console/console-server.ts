import Fastify, { type FastifyInstance } from 'fastify';
import type { ConsoleErrorBody } from '../api/console/types.js';
import { isSecure, type ConsoleContext, type ConsoleDeps } from './console-context.js';
import { ConsoleError, describeError } from './console-error.js';
import { checkRequestOrigin, isLoopbackHost } from './request-origin.js';
import { enterRequestScope } from '../common/request-scope.js';
import { nextRequestId } from '../common/request-id.js';
import { annotate, beginNote, finishNote, peekNote } from '../s3/request-notes.js';
import { accessKeyRoutes } from './routes/access-keys.js';
import { adminNetworkRoutes } from './routes/admin-networks.js';
import { groupRoutes } from './routes/groups.js';
import { loginRoutes } from './routes/login.js';
import { federatedLoginRoutes } from './routes/federated-login.js';
import { oidcLoginRoutes } from './routes/oidc-login.js';
import { mfaRoutes } from './routes/mfa.js';
import { passwordRoutes } from './routes/password.js';
import { policyRoutes } from './routes/policies.js';
import { healthRoutes } from './routes/health.js';
import { trafficRoutes } from './routes/traffic.js';
import { securityEventRoutes } from './routes/security-events.js';
import { tlsRoutes } from './routes/tls.js';
import { sessionRoutes } from './routes/session.js';
import { settingsRoutes } from './routes/settings.js';
import { bucketRoutes } from './routes/buckets.js';
import { objectRoutes } from './routes/objects.js';
import { shareRoutes } from './routes/share.js';
import { storageRoutes } from './routes/storage.js';
import { uploadRoutes } from './routes/uploads.js';
import { userRoutes } from './routes/users.js';
import { setupDoneRoutes } from './routes/setup-done.js';
import { loadSessionKeys } from './session-key.js';
import { SessionRegistry } from './session-registry.js';
import { SessionTokens } from './session-token.js';
import { DEFAULT_STATIC_ROOT, staticHandler } from './static-files.js';

export interface ConsoleAddress {
  host: string;
  port: number;
}

/** Console API bodies are a few short strings. */
const MAX_BODY_BYTES = 16 * 1024;

/**
 * The console's own HTTP server (its own port, loopback by default): the
 * JSON API under /api/v1 with cookie sessions, and the renderer's files.
 * `address` is where it will listen: on loopback it also refuses Host
 * names that are not loopback (DNS rebinding).
 */
export async function createConsoleServer(deps: ConsoleDeps, address: ConsoleAddress): Promise<FastifyInstance> {
  const keys = await loadSessionKeys(deps.iam);
  const ctx: ConsoleContext = {
    deps,
    keys,
    tokens: new SessionTokens(keys.privateKey, keys.publicKey),
    sessions: new SessionRegistry(),
    audit: (entry) => deps.audit?.({ api: 'console', ...entry }),
  };
  const originPolicy = { loopbackOnly: isLoopbackHost(address.host) };

  const app = Fastify({
    logger: false,
    bodyLimit: MAX_BODY_BYTES,
    genReqId: nextRequestId,
    return503OnClosing: true,
    ...(deps.tls ? { https: deps.tls.serverOptions() } : {}),
  });
  // JSON only: a text/plain or form POST is what another site's page can send without a CORS preflight.
  app.removeContentTypeParser(['text/plain']);

  app.addHook('onRequest', async (request, reply) => {
    reply.header('x-content-type-options', 'nosniff');
    reply.header('referrer-policy', 'same-origin');
    reply.header('x-frame-options', 'DENY');
    if (request.url.startsWith('/api/')) reply.header('cache-control', 'no-store');
    checkRequestOrigin(request.headers, isSecure(request), originPolicy);
  });
  // One request record per API call (audit, metrics), as the S3 port gives: engine/common/request-record.ts.
  if (deps.observe) {
    const observe = deps.observe;
    app.addHook('onRequest', async (request) => {
      if (!request.url.startsWith('/api/v1')) return;
      beginNote(request.raw);
      annotate(request.raw, { api: 'console', operation: `${request.method} ${request.url.split('?')[0]}` });
    });
    app.addHook('onResponse', async (request, reply) => finishNote(request.raw, reply.statusCode, request.id, observe));
  }
  // After the body is parsed (its stream events would lose the scope): IAM changes name the request that made them.
  app.addHook('preHandler', (request, reply, done) => {
    if (request.routeOptions.url && request.url.startsWith('/api/v1')) annotate(request.raw, { operation: `${request.method} ${request.routeOptions.url}` });
    const leave = enterRequestScope({ requestId: request.id, fields: () => peekNote(request.raw) }, done);
    reply.raw.once('close', leave);
  });

  app.setErrorHandler(async (err, request, reply) => {
    let d = describeError(err);
    if (!d) {
      deps.log(`console: request ${request.id} ${request.method} ${request.url}: ${(err as Error)?.stack ?? String(err)}`);
      const e = new ConsoleError('InternalError');
      d = { status: e.status, code: e.code, message: e.message };
    }
    annotate(request.raw, { errorCode: d.code });
    if (d.retryAfter !== undefined) reply.header('retry-after', String(d.retryAfter));
    const body: ConsoleErrorBody = { code: d.code, message: d.message, requestId: request.id, ...(d.position ? { position: d.position } : {}) };
    return reply.code(d.status).type('application/json').send(body);
  });

  app.setNotFoundHandler(async (request) => {
    throw new ConsoleError('NoSuchRoute', `${request.method} ${request.url.split('?')[0]} is not a console API call.`);
  });

  loginRoutes(app, ctx);
  federatedLoginRoutes(app, ctx);
  oidcLoginRoutes(app, ctx);
  sessionRoutes(app, ctx);
  mfaRoutes(app, ctx);
  settingsRoutes(app, ctx);
  securityEventRoutes(app, ctx);
  tlsRoutes(app, ctx);
  storageRoutes(app, ctx);
  bucketRoutes(app, ctx);
  objectRoutes(app, ctx);
  uploadRoutes(app, ctx);
  shareRoutes(app, ctx);
  // Identity and Security screens.
  userRoutes(app, ctx);
  groupRoutes(app, ctx);
  policyRoutes(app, ctx);
  accessKeyRoutes(app, ctx);
  passwordRoutes(app, ctx);
  adminNetworkRoutes(app, ctx);
  setupDoneRoutes(app);
  healthRoutes(app, ctx, deps.health);
  trafficRoutes(app, ctx, deps.traffic);

  const serveStatic = staticHandler(deps.staticRoot ?? DEFAULT_STATIC_ROOT);
  app.get('/*', async (request, reply) => {
    if (request.url.startsWith('/api/')) throw new ConsoleError('NoSuchRoute', `GET ${request.url.split('?')[0]} is not a console API call.`);
    return serveStatic(request, reply);
  });
  return app;
}

export interface RunningConsole {
  app: FastifyInstance;
  port: number;
  /** Where a browser on this machine reaches it. */
  url: string;
  close(): Promise<void>;
}

/** Builds the console server and listens; warns when it is reachable from the network over plain HTTP. */
export async function startConsoleServer(deps: ConsoleDeps, address: ConsoleAddress): Promise<RunningConsole> {
  const app = await createConsoleServer(deps, address);
  await app.listen({ host: address.host, port: address.port });
  const bound = app.server.address();
  const port = typeof bound === 'object' && bound ? bound.port : address.port;
  if (!isLoopbackHost(address.host) && !deps.tls) {
    deps.log(`Console: WARNING: listening on ${address.host}:${port}, beyond this machine, without TLS: secret keys, MFA codes and session cookies cross the network unencrypted.`);
  }
  const shown = address.host === '0.0.0.0' || address.host === '::' ? '127.0.0.1' : address.host;
  const url = `${deps.tls ? 'https' : 'http'}://${shown.includes(':') ? `[${shown}]` : shown}:${port}`;
  return { app, port, url, close: () => app.close() };
}
