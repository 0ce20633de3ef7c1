import { createHash } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { TlsOptions } from 'node:tls';
import { once } from 'node:events';
import { Readable } from 'node:stream';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { GranaryError } from '../common/errors.js';
import { nextRequestId } from '../common/request-id.js';
import type { ObjectLayer } from '../object/object-layer.js';
import type { Authorizer } from '../iam/authorizer.js';
import type { AuthThrottle } from '../iam/auth-throttle.js';
import type { ResolvedCredentials } from '../iam/iam-service.js';
import type { Identity } from '../iam/identity.js';
import { claimedAccessKey, isCredentialFailure, secretLookup } from './auth/failed-auth.js';
import { authenticate, type AuthResult } from './auth/sigv4.js';
import { headerGetter } from './conditionals.js';
import type { BucketPolicyStore, S3Context, S3Reply } from './context.js';
import { errorXml, toS3Error } from './error-response.js';
import { dispatch } from './dispatch.js';
import { postObject } from './handlers/post-object.js';
import { payloadOf } from './payload.js';
import { existingTagConditions, requestConditions } from './request-conditions.js';
import type { RequestObserver, RequestRecord } from '../common/request-record.js';
import { annotate, beginNote, finishNote, noteDecision, peekNote } from './request-notes.js';
import { enterRequestScope } from '../common/request-scope.js';
import { route } from './router.js';
import { verifiedClientCertificate } from '../tls/client-certificates.js';
import { readSmallBody } from './small-body.js';
import { actionFor } from './s3-action.js';

export interface S3ServerOptions {
  layer: ObjectLayer;
  access: S3Access;
  region: string;
  /** Virtual-hosted-style requests: `bucket.<domain>`. */
  domain?: string;
  log?: (line: string) => void;
  /** Other APIs sharing the S3 port (admin, metrics), registered before the S3 catch-all. */
  plugins?: ((app: FastifyInstance) => void)[];
  /** `POST /` with a form body: the IAM (and later STS) query APIs, answered in their own XML. */
  servicePost?: ServicePostHandler;
  /** The query-API requests that carry their own proof instead of a signature (STS web identity, client grants, LDAP): let through unsigned. */
  unsignedServicePost?: (form: URLSearchParams) => boolean;
  /** Told about every answered request on this port (audit, metrics). */
  observe?: RequestObserver;
  /** Serve HTTPS with these options (engine/tls); plain HTTP when absent. */
  https?: TlsOptions;
}

/** What the S3 layer needs from IAM: who a key is, and the one authorizer that decides. */
export interface S3Access {
  credentials(accessKey: string): ResolvedCredentials | undefined;
  authorizer: Authorizer;
  bucketPolicies: BucketPolicyStore;
  throttle?: AuthThrottle;
}

export interface ServicePostRequest {
  /** Anonymous only for the unsigned requests `unsignedServicePost` admits. */
  identity: Identity;
  /** The signed request's service (`iam`, `sts`); `sts` for an admitted unsigned request. */
  service: string;
  form: URLSearchParams;
  requestId: string;
  sourceAddress: string;
  /** DER of the TLS client certificate, when one was presented and verified against CAs/ (AssumeRoleWithCertificate). */
  clientCertificate?: Buffer;
}

export type ServicePostHandler = (req: ServicePostRequest) => Promise<S3Reply>;

/** Query-API bodies (IAM, STS) are small forms. */
const MAX_FORM_BYTES = 64 * 1024;

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
    bodyLimit: Number.MAX_SAFE_INTEGER,
    http: { maxHeaderSize: MAX_HEADER_BYTES },
    // With TLS fastify builds an https server from these options alone, so the header limit goes here too.
    ...(opts.https ? { https: { maxHeaderSize: MAX_HEADER_BYTES, ...opts.https } } : {}),
    genReqId: nextRequestId,
    // Keys may contain `//`, `?`-free dots and anything else: no rewriting of the URL.
    routerOptions: { maxParamLength: 4096, ignoreDuplicateSlashes: false, ignoreTrailingSlash: false },
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
    if (opts.observe) beginNote(request.raw);
  });
  if (opts.observe) {
    const observe = opts.observe;
    app.addHook('onResponse', async (request, reply) => finishNote(request.raw, reply.statusCode, request.id, observe));
  }
  // Code run for a request that can change IAM or configuration (admin and IAM APIs, bucket policies) can name it:
  // see engine/common/request-scope.ts for why other requests get no scope.
  app.addHook('onRequest', (request, reply, done) => {
    if (!mayChangeConfig(request.raw.method ?? 'GET', request.raw.url ?? '/')) return done();
    const leave = enterRequestScope({ requestId: request.id, fields: () => peekNote(request.raw) }, done);
    reply.raw.once('close', leave);
  });

  const lookupSecret = secretLookup((k) => opts.access.credentials(k));

  const handler = async (request: FastifyRequest, reply: FastifyReply) => {
    const raw = request.raw;
    const url = raw.url ?? '/';
    const q = url.indexOf('?');
    const rawPath = q < 0 ? url : url.slice(0, q);
    const rawQuery = q < 0 ? '' : url.slice(q + 1);
    const address = (raw.socket.remoteAddress ?? '').replace(/^::ffff:/, '');
    let resource = rawPath;
    try {
      const r = route(raw.method ?? 'GET', rawPath, rawQuery, raw.headers.host, opts.domain, raw.headers['x-amz-copy-source'] !== undefined);
      resource = r.bucket === undefined ? '/' : `/${r.bucket}${r.key !== undefined ? `/${r.key}` : ''}`;
      annotate(raw, { api: 's3', operation: r.endpoint, ...(r.bucket !== undefined ? { bucket: r.bucket } : {}), ...(r.key !== undefined ? { object: r.key } : {}) });
      const claimed = claimedAccessKey(raw.headers.authorization, r.query);
      const throttled = opts.access.throttle?.check(claimed, address);
      if (throttled?.throttled) {
        throw new GranaryError('SlowDown', `Too many failed authentications from this ${throttled.by === 'accessKey' ? 'access key' : 'address'}; retry in ${Math.ceil(throttled.retryAfterMs / 1000)} s.`);
      }
      const service = r.endpoint === 'ServicePost';
      const form = service ? await readForm(raw) : undefined;
      let auth: AuthResult;
      try {
        auth = authenticate(
          { method: raw.method ?? 'GET', rawPath, rawQuery, headers: raw.headers, ...(form ? { bodySha256: form.sha256 } : {}) },
          lookupSecret,
          { region: opts.region, ...(service ? { services: ['iam', 'sts'] } : {}) },
        );
      } catch (err) {
        if (isCredentialFailure(err)) opts.access.throttle?.recordFailure(claimed, address);
        throw err;
      }
      if (auth.kind === 'signed') opts.access.throttle?.recordSuccess(auth.accessKey, address);
      let identity: Identity = auth.kind === 'signed' ? opts.access.credentials(auth.accessKey)!.identity : { type: 'anonymous' };
      annotate(raw, identityFields(identity));

      if (service) {
        if (!opts.servicePost) throw new GranaryError('NotImplemented', 'POST / is not implemented by Granary.');
        const unsigned = auth.kind !== 'signed' && opts.unsignedServicePost?.(form!.params) === true;
        if (auth.kind !== 'signed' && !unsigned) throw new GranaryError('AccessDenied', 'IAM and STS requests must be signed with AWS Signature Version 4.');
        const serviceName = auth.kind === 'signed' ? auth.service : 'sts';
        annotate(raw, { api: serviceName === 'sts' ? 'sts' : 'iam', operation: form!.params.get('Action') ?? 'Unknown' });
        const clientCertificate = verifiedClientCertificate(raw.socket)?.raw;
        const result = await opts.servicePost({ identity, service: serviceName, form: form!.params, requestId: request.id, sourceAddress: address, ...(clientCertificate ? { clientCertificate } : {}) });
        return await send(reply, result, false);
      }

      // A browser form upload carries its own signed policy instead of a signed request.
      const formUpload = auth.kind === 'anonymous' && r.endpoint === 'PostObject';
      const payload = auth.kind === 'signed' ? payloadOf(raw, auth) : { stream: raw, length: undefined, trailers: new Map<string, string>() };
      let conditions: Record<string, string[]> | undefined;
      const decide = async (action: string, bucket?: string, key?: string) => {
        let extra: Record<string, string[]> = {};
        if (bucket !== undefined && key !== undefined && opts.access.authorizer.needsExistingTags(identity, bucket)) {
          extra = existingTagConditions(await opts.layer.getObjectTagging(bucket, key).catch(() => ({})));
        }
        // Built only when a policy is evaluated (never for root).
        const built = () => ({ ...(conditions ??= requestConditions(raw, formUpload ? { kind: 'post' } : auth, r)), ...extra });
        const decided = opts.access.authorizer.authorize(identity, { action, ...(bucket !== undefined ? { bucket } : {}), ...(key !== undefined ? { key } : {}), conditions: built });
        const d = decided instanceof Promise ? await decided : decided;
        noteDecision(raw, { action: d.action, resource: d.resource, allowed: d.allowed, reason: d.reason, ...(d.decidedBy ? { policy: d.decidedBy.policy, statement: d.decidedBy.statement, ...(d.decidedBy.sid !== undefined ? { sid: d.decidedBy.sid } : {}) } : {}) });
        return d;
      };
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
        get identity() {
          return identity;
        },
        authorize: async (action, bucket, key) => {
          const d = await decide(action, bucket, key);
          if (!d.allowed) {
            throw new GranaryError('AccessDenied', identity.type === 'anonymous' ? 'Access Denied: anonymous requests are allowed only where a bucket policy grants them; sign your requests with AWS Signature Version 4.' : undefined);
          }
        },
        allowed: async (action, bucket, key) => (identity.type === 'anonymous' ? false : (await decide(action, bucket, key)).allowed),
        bucketPolicies: opts.access.bucketPolicies,
      };
      if (formUpload) {
        const adopt = (accessKey: string) => {
          identity = opts.access.credentials(accessKey)!.identity;
          annotate(raw, identityFields(identity));
        };
        return await send(reply, await postObject(ctx, raw, lookupSecret, adopt), false);
      }
      const action = actionFor(r);
      if (action !== null) await ctx.authorize(action, r.bucket, r.key);
      else if (identity.type === 'anonymous' && (r.endpoint === 'ListBuckets' || r.endpoint === 'NotImplemented')) await ctx.authorize('s3:ListAllMyBuckets');
      await send(reply, await dispatch(ctx, r), raw.method === 'HEAD');
    } catch (err) {
      const e = toS3Error(err);
      annotate(raw, { errorCode: e.code });
      if (!(err instanceof GranaryError)) opts.log?.(`request ${request.id} ${raw.method} ${url}: ${(err as Error)?.stack ?? String(err)}`);
      await sendError(reply, raw, e, resource, request.id);
    }
  };
  for (const plugin of opts.plugins ?? []) plugin(app);
  app.all('/', handler);
  app.all('/*', handler);
  return app;
}

/** Admin, audit and metrics paths, query-API posts and bucket-policy changes: the requests that may commit to IAM. */
function mayChangeConfig(method: string, url: string): boolean {
  if (method === 'GET' || method === 'HEAD') return false;
  const q = url.indexOf('?');
  const path = q < 0 ? url : url.slice(0, q);
  return path.startsWith('/granary/') || (method === 'POST' && path === '/') || (q >= 0 && /(^|&)policy(=|&|$)/.test(url.slice(q + 1)));
}

/** Who asked, for the request record. */
export function identityFields(identity: Identity): Partial<RequestRecord> {
  if (identity.type === 'anonymous') return { identityType: 'anonymous' };
  return { identityType: identity.type, accessKey: identity.accessKey, ...(identity.type === 'serviceAccount' || identity.type === 'session' ? { parentUser: identity.username } : {}) };
}

async function readForm(raw: IncomingMessage): Promise<{ params: URLSearchParams; sha256: string }> {
  const body = await readSmallBody(raw, MAX_FORM_BYTES, 'A query API request body');
  return { params: new URLSearchParams(body.toString('utf8')), sha256: createHash('sha256').update(body).digest('hex') };
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
