import { randomBytes } from 'node:crypto';
import Fastify, { type FastifyInstance, type FastifyRequest } from 'fastify';
import { GranaryError } from '../common/errors.js';
import { nextRequestId } from '../common/request-id.js';
import type { ConsoleErrorBody, SetupDisksResponse, SetupPreviewResponse, SetupRequest, SetupResponse, SetupStatus } from '../api/console/types.js';
import { sameSecret } from '../console/constant-time.js';
import { ConsoleError, describeError } from '../console/console-error.js';
import { checkRequestOrigin, isLoopbackHost } from '../console/request-origin.js';
import { DEFAULT_STATIC_ROOT, staticHandler } from '../console/static-files.js';
import { checkAccessKey } from '../iam/name-rules.js';
import { passwordProblem } from '../iam/weak-passwords.js';
import { listDisks } from './disks.js';
import { planDrives } from './drive-plan.js';

export interface SetupServerOptions {
  /** Where it will listen: on loopback it refuses Host names that are not loopback (DNS rebinding), as the console does. */
  address: { host: string; port: number };
  /** The one-time secret of the setup URL. */
  token: string;
  /**
   * Saves the choice and starts the engine; answers once S3 and the full
   * console are up. Called at most once at a time, with a request that passed
   * every check here.
   */
  complete: (request: SetupRequest) => Promise<SetupResponse>;
  log: (line: string) => void;
  staticRoot?: string;
  https?: import('node:tls').TlsOptions;
  /** For tests: the disks offered (default: this machine's, from systeminformation). */
  disks?: () => Promise<SetupDisksResponse['disks']>;
}

/** A URL-safe secret long enough that guessing it is hopeless. */
export function newSetupToken(): string {
  return randomBytes(24).toString('base64url');
}

const MAX_BODY_BYTES = 64 * 1024;

function object(body: unknown): Record<string, unknown> {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new ConsoleError('InvalidRequest', 'The request body must be a JSON object.');
  return body as Record<string, unknown>;
}

/**
 * The console port while Granary has no drives: the pages (the wizard) and
 * the setup API only. Anything that could claim the install needs the token
 * printed in the log, because any local process can reach a loopback port.
 */
export function createSetupServer(opts: SetupServerOptions): FastifyInstance {
  const originPolicy = { loopbackOnly: isLoopbackHost(opts.address.host) };
  let state: 'open' | 'busy' | 'done' = 'open';
  const app = Fastify({
    logger: false,
    bodyLimit: MAX_BODY_BYTES,
    genReqId: nextRequestId,
    ...(opts.https ? { https: opts.https } : {}),
  });
  app.removeContentTypeParser(['text/plain']);

  app.addHook('onRequest', async (request, reply) => {
    reply.header('x-content-type-options', 'nosniff');
    reply.header('referrer-policy', 'no-referrer');
    reply.header('x-frame-options', 'DENY');
    if (request.url.startsWith('/api/')) reply.header('cache-control', 'no-store');
    // After the hand-over no connection may linger here: the full console owns the port now.
    if (state === 'done') reply.header('connection', 'close');
    checkRequestOrigin(request.headers, request.protocol === 'https', originPolicy);
  });

  app.addHook('onResponse', async () => {
    if (state === 'done') app.server.closeIdleConnections();
  });

  app.setErrorHandler(async (err, request, reply) => {
    let d = describeError(err);
    if (!d) {
      opts.log(`setup: request ${request.id} ${request.method} ${request.url.split('?')[0]}: ${(err as Error)?.stack ?? String(err)}`);
      const e = new ConsoleError('InternalError');
      d = { status: e.status, code: e.code, message: e.message };
    }
    const body: ConsoleErrorBody = { code: d.code, message: d.message, requestId: request.id };
    return reply.code(d.status).type('application/json').send(body);
  });

  const requireToken = async (request: FastifyRequest) => {
    const given = request.headers['x-setup-token'];
    if (typeof given !== 'string' || !sameSecret(given, opts.token)) {
      opts.log(`setup: refused ${request.method} ${request.url.split('?')[0]} from ${request.ip}: ${given === undefined ? 'no' : 'wrong'} setup token`);
      throw new ConsoleError('InvalidSetupToken');
    }
    if (state !== 'open') throw new ConsoleError('SetupAlreadyDone', state === 'busy' ? 'Setup is already under way.' : undefined);
  };

  app.get('/api/v1/setup', async (): Promise<SetupStatus> => ({ needed: state !== 'done' }));

  app.get('/api/v1/setup/disks', { preHandler: requireToken }, async (): Promise<SetupDisksResponse> => ({ disks: await (opts.disks ?? listDisks)() }));

  app.post('/api/v1/setup/preview', { preHandler: requireToken }, async (request): Promise<SetupPreviewResponse> => {
    const body = object(request.body);
    return await planDrives(body.drives, body.parity);
  });

  app.post('/api/v1/setup', { preHandler: requireToken }, async (request, reply): Promise<SetupResponse> => {
    const body = object(request.body);
    const rootUser = checkAccessKey(body.rootUser);
    if (typeof body.rootPassword !== 'string') throw new ConsoleError('InvalidRequest', 'rootPassword must be a string.');
    const problem = passwordProblem(body.rootPassword, rootUser);
    if (problem) throw new GranaryError('PasswordPolicyViolation', `The root password is refused: ${problem}.`);
    const plan = await planDrives(body.drives, body.parity);
    if (!plan.ok) {
      const details = plan.perDrive.filter((d) => !d.ok).map((d) => `${d.path}: ${d.problem}`);
      throw new ConsoleError('InvalidRequest', [plan.error, ...details].join('; '));
    }
    state = 'busy';
    try {
      const answer = await opts.complete({ drives: plan.perDrive.map((d) => d.path), parity: body.parity as number, rootUser, rootPassword: body.rootPassword });
      state = 'done';
      // The browser's next request must open a new connection: to the full console now listening on this port.
      reply.header('connection', 'close');
      return answer;
    } catch (err) {
      state = 'open';
      throw err;
    }
  });

  app.all('/api/*', async () => {
    throw new ConsoleError('SetupRequired');
  });
  const serveStatic = staticHandler(opts.staticRoot ?? DEFAULT_STATIC_ROOT);
  app.get('/*', async (request, reply) => serveStatic(request, reply));
  return app;
}
