import { randomBytes } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { once } from 'node:events';
import { Readable } from 'node:stream';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { GranaryError } from '../common/errors.js';
import type { ObjectLayer } from '../object/object-layer.js';
import { authenticate, type SecretLookup } from './auth/sigv4.js';
import { headerGetter } from './conditionals.js';
import type { S3Context, S3Reply } from './context.js';
import { errorXml, toS3Error } from './error-response.js';
import { dispatch } from './dispatch.js';
import { postObject } from './handlers/post-object.js';
import { payloadOf } from './payload.js';
import { route } from './router.js';

export interface S3ServerOptions {
  layer: ObjectLayer;
  credentials: SecretLookup;
  region: string;
  /** Virtual-hosted-style requests: `bucket.<domain>`. */
  domain?: string;
  log?: (line: string) => void;
}

/** An error answered mid-upload reads at most this much more of the body, so the client hears it. */
const DRAIN_LIMIT = 16 * 1024 * 1024;

/** Header section limit: a client that sends more is refused before any work is done. */
const MAX_HEADER_BYTES = 16 * 1024;

/**
 * The S3 front door: one catch-all route, our own router (path- and
 * virtual-host-style), SigV4 on every request, and S3 XML errors. Bodies are
 * never parsed by fastify: handlers stream them to the object layer.
 */
export function createS3Server(opts: S3ServerOptions): FastifyInstance {
  const app = Fastify({
    logger: false,
    maxParamLength: 4096,
    bodyLimit: Number.MAX_SAFE_INTEGER,
    http: { maxHeaderSize: MAX_HEADER_BYTES },
    genReqId: () => randomBytes(8).toString('hex').toUpperCase(),
    // Keys may contain `//`, `?`-free dots and anything else: no rewriting of the URL.
    ignoreDuplicateSlashes: false,
    ignoreTrailingSlash: false,
    // A URL fastify cannot even route (a malformed percent-escape) still gets an S3 error.
    frameworkErrors: (_error, request, reply) => {
      reply.header('x-amz-request-id', request.id);
      void sendError(reply, request.raw, new GranaryError('InvalidArgument', 'The request URL is not valid percent-encoded UTF-8.'), '/', request.id);
    },
  });
  // Leave every body unread for the handlers.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', (_req, _payload, done) => done(null, undefined));

  app.addHook('onRequest', async (request, reply) => {
    reply.header('x-amz-request-id', request.id);
    reply.header('server', 'Granary');
  });

  const handler = async (request: FastifyRequest, reply: FastifyReply) => {
    const raw = request.raw;
    const url = raw.url ?? '/';
    const q = url.indexOf('?');
    const rawPath = q < 0 ? url : url.slice(0, q);
    const rawQuery = q < 0 ? '' : url.slice(q + 1);
    let resource = rawPath;
    try {
      const r = route(raw.method ?? 'GET', rawPath, rawQuery, raw.headers.host, opts.domain, raw.headers['x-amz-copy-source'] !== undefined);
      resource = r.bucket === undefined ? '/' : `/${r.bucket}${r.key !== undefined ? `/${r.key}` : ''}`;
      const auth = authenticate({ method: raw.method ?? 'GET', rawPath, rawQuery, headers: raw.headers }, opts.credentials, { region: opts.region });
      // A browser form upload carries its own signed policy instead of a signed request.
      const formUpload = auth.kind === 'anonymous' && r.endpoint === 'PostObject';
      if (auth.kind === 'anonymous' && !formUpload) throw new GranaryError('AccessDenied', 'Anonymous access is not allowed: sign your requests with AWS Signature Version 4.');
      const payload = auth.kind === 'signed' ? payloadOf(raw, auth) : { stream: raw, length: undefined, trailers: new Map<string, string>() };
      const ctx: S3Context = {
        layer: opts.layer,
        region: opts.region,
        method: raw.method ?? 'GET',
        route: r,
        headers: raw.headers,
        header: headerGetter(raw.headers),
        body: payload.stream,
        contentLength: payload.length,
        trailers: payload.trailers,
        requestId: request.id,
      };
      const result = formUpload ? await postObject(ctx, raw, opts.credentials) : await dispatch(ctx, r);
      await send(reply, result, raw.method === 'HEAD');
    } catch (err) {
      const e = toS3Error(err);
      if (!(err instanceof GranaryError)) opts.log?.(`request ${request.id} ${raw.method} ${url}: ${(err as Error)?.stack ?? String(err)}`);
      await sendError(reply, raw, e, resource, request.id);
    }
  };
  app.all('/', handler);
  app.all('/*', handler);
  return app;
}

async function send(reply: FastifyReply, result: S3Reply, head: boolean): Promise<void> {
  reply.code(result.status);
  for (const [k, v] of Object.entries(result.headers ?? {})) reply.header(k, v);
  if (head || result.body === undefined) {
    if (result.body instanceof Readable) result.body.destroy();
    return reply.send();
  }
  return reply.send(result.body);
}

async function sendError(reply: FastifyReply, raw: IncomingMessage, e: GranaryError, resource: string, requestId: string): Promise<void> {
  if (reply.sent) {
    // Headers already went out (a read failed mid-stream): all we can do is cut the connection.
    raw.socket.destroy();
    return;
  }
  // A client still sending its body would see a reset instead of our answer: read a
  // small rest of the body to the end first; past that, close the connection after answering.
  if (!raw.complete) {
    const declared = Number(raw.headers['content-length']);
    if (Number.isFinite(declared) && declared <= DRAIN_LIMIT && !raw.destroyed) {
      raw.unpipe();
      raw.resume();
      await Promise.race([once(raw, 'end'), once(raw, 'close'), new Promise((r) => setTimeout(r, 2000).unref())]).catch(() => undefined);
    }
    if (!raw.complete) reply.header('connection', 'close');
  }
  reply.code(e.status);
  if (e.code === 'NotModified' || raw.method === 'HEAD') return reply.send();
  reply.header('content-type', 'application/xml');
  if (e.code === 'SlowDown') reply.header('retry-after', '1');
  return reply.send(errorXml(e, resource, requestId));
}
