import type { FastifyInstance } from 'fastify';
import { LIMITS } from '../../object/object-layer.js';
import type { ObjectListResponse, ObjectWriteResponse } from '../../api/console/types.js';
import type { ConsoleContext } from '../console-context.js';
import { ConsoleError } from '../console-error.js';
import { attachmentDisposition } from '../content-disposition.js';
import { bucketParam, contentLength, keyParam, rawQueryParam, storageOf } from '../object-params.js';
import { leaveBodiesUnread, withUpload } from '../raw-body.js';
import { requireS3Permission } from '../s3-permission.js';
import { resolveSession, withSession } from '../session-auth.js';

const DEFAULT_PAGE = 200;

/**
 * The object browser's calls on one bucket: list (prefix + delimiter, pages
 * with a continuation), download (streamed), upload of a whole file
 * (streamed raw body, never buffered), delete. Keys travel in the `key`
 * query parameter, decoded strictly (object-params.ts).
 */
export function objectRoutes(app: FastifyInstance, ctx: ConsoleContext): void {
  app.get(
    '/api/v1/buckets/:bucket/objects',
    withSession(ctx, {}, async (session, request): Promise<ObjectListResponse> => {
      const storage = storageOf(ctx);
      const bucket = bucketParam(request);
      const prefix = rawQueryParam(request, 'prefix') ?? '';
      const delimiter = rawQueryParam(request, 'delimiter') ?? '';
      const continuation = rawQueryParam(request, 'continuation');
      const maxText = rawQueryParam(request, 'maxKeys');
      if (Buffer.byteLength(prefix) > 1024) throw new ConsoleError('InvalidRequest', 'The prefix may be at most 1024 bytes.');
      if (delimiter.length > 16) throw new ConsoleError('InvalidRequest', 'The delimiter may be at most 16 characters.');
      const maxKeys = maxText === undefined ? DEFAULT_PAGE : Number(maxText);
      if (!Number.isInteger(maxKeys) || maxKeys < 1 || maxKeys > LIMITS.maxKeys) throw new ConsoleError('InvalidRequest', `maxKeys must be a whole number from 1 to ${LIMITS.maxKeys}.`);
      const after = continuation === undefined ? undefined : decodeContinuation(continuation);
      await requireS3Permission(ctx, storage, session, request, { action: 's3:ListBucket', bucket, listing: { prefix, ...(delimiter ? { delimiter } : {}), maxKeys } });
      const page = await storage.layer.listObjects(bucket, { prefix, ...(delimiter ? { delimiter } : {}), ...(after !== undefined ? { after } : {}), maxKeys });
      return {
        prefix,
        delimiter,
        objects: page.objects.map((o) => ({ key: o.key, size: o.size, etag: o.etag, lastModified: o.lastModified.toISOString() })),
        prefixes: page.commonPrefixes,
        ...(page.isTruncated && page.nextMarker !== undefined ? { nextContinuation: Buffer.from(page.nextMarker, 'utf8').toString('base64url') } : {}),
      };
    }),
  );

  app.get(
    '/api/v1/buckets/:bucket/object',
    withSession(ctx, {}, async (session, request, reply) => {
      const storage = storageOf(ctx);
      const bucket = bucketParam(request);
      const key = keyParam(request);
      await requireS3Permission(ctx, storage, session, request, { action: 's3:GetObject', bucket, key });
      const { info, body } = await storage.layer.getObject(bucket, key);
      reply.header('content-type', 'application/octet-stream');
      reply.header('content-length', String(info.size));
      reply.header('etag', `"${info.etag}"`);
      reply.header('last-modified', info.lastModified.toUTCString());
      // Always a download, never a page of the console's origin: stored HTML must not run here.
      reply.header('content-disposition', attachmentDisposition(key));
      reply.header('content-security-policy', "sandbox; default-src 'none'");
      return reply.send(body);
    }),
  );

  app.delete(
    '/api/v1/buckets/:bucket/object',
    withSession(ctx, {}, async (session, request, reply) => {
      const storage = storageOf(ctx);
      const bucket = bucketParam(request);
      const key = keyParam(request);
      await requireS3Permission(ctx, storage, session, request, { action: 's3:DeleteObject', bucket, key });
      await storage.layer.deleteObject(bucket, key);
      return reply.code(204).send();
    }),
  );

  // Uploads stream their bodies: their own parser scope, so the JSON body limit stays everywhere else.
  app.register(async (scope) => {
    leaveBodiesUnread(scope);
    scope.put(
      '/api/v1/buckets/:bucket/object',
      async (request): Promise<ObjectWriteResponse> =>
        withUpload(request.raw, async () => {
          const session = await resolveSession(ctx, request);
          const storage = storageOf(ctx);
          const bucket = bucketParam(request);
          const key = keyParam(request);
          const size = contentLength(request, LIMITS.maxPartSize);
          await requireS3Permission(ctx, storage, session, request, { action: 's3:PutObject', bucket, key });
          const info = await storage.layer.putObject(bucket, key, request.raw, { size, metadata: { 'content-type': contentType(request.headers['content-type']) } });
          return { key: info.key, size: info.size, etag: info.etag };
        }),
    );
  });
}

/** What the browser said the file is; S3's default when it did not know. */
export function contentType(header: string | undefined): string {
  const v = (header ?? '').trim();
  return v && v.length <= 256 && /^[\x20-\x7e]+$/.test(v) ? v : 'binary/octet-stream';
}

function decodeContinuation(token: string): string {
  if (!/^[A-Za-z0-9_-]{1,1400}$/.test(token)) throw new ConsoleError('InvalidRequest', 'The continuation token is not valid.');
  const after = Buffer.from(token, 'base64url').toString('utf8');
  if (!after.isWellFormed() || after.includes('\uFFFD')) throw new ConsoleError('InvalidRequest', 'The continuation token is not valid.');
  return after;
}
