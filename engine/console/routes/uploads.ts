import type { FastifyInstance } from 'fastify';
import { LIMITS } from '../../object/object-layer.js';
import type { MultipartCreateResponse, ObjectWriteResponse, PartWriteResponse } from '../../api/console/types.js';
import type { ConsoleContext } from '../console-context.js';
import { ConsoleError } from '../console-error.js';
import { bucketParam, contentLength, keyParam, storageOf } from '../object-params.js';
import { leaveBodiesUnread, withUpload } from '../raw-body.js';
import { bodyObject, optionalStringField, stringField } from '../request-body.js';
import { requireS3Permission } from '../s3-permission.js';
import { resolveSession, withSession } from '../session-auth.js';
import { checkObjectKey } from '../../object/names.js';
import { contentType } from './objects.js';

/** What the console uploads large files in: few enough requests, progress that moves, within S3's 5 MiB minimum. */
const PART_SIZE = 8 * 1024 * 1024;

/**
 * Multipart uploads for large files: create, put each part (a streamed raw
 * body), complete, abort. Each step is decided as S3 decides it:
 * s3:PutObject on the key, s3:AbortMultipartUpload to abort.
 */
export function uploadRoutes(app: FastifyInstance, ctx: ConsoleContext): void {
  app.post(
    '/api/v1/buckets/:bucket/uploads',
    withSession(ctx, {}, async (session, request, reply): Promise<MultipartCreateResponse> => {
      const storage = storageOf(ctx);
      const bucket = bucketParam(request);
      const body = bodyObject(request.body);
      const key = stringField(body, 'key', 1024);
      checkObjectKey(key);
      const type = optionalStringField(body, 'contentType', 256);
      await requireS3Permission(ctx, storage, session, request, { action: 's3:PutObject', bucket, key });
      const uploadId = await storage.layer.newMultipartUpload(bucket, key, { metadata: { 'content-type': contentType(type) } });
      reply.code(201);
      return { uploadId, partSize: PART_SIZE };
    }),
  );

  app.post(
    '/api/v1/buckets/:bucket/uploads/:uploadId/complete',
    // The part list of a large file outgrows the console's 16 KiB JSON limit: about 60 bytes a part.
    { bodyLimit: LIMITS.maxParts * 100 },
    withSession(ctx, {}, async (session, request): Promise<ObjectWriteResponse> => {
      const storage = storageOf(ctx);
      const bucket = bucketParam(request);
      const uploadId = uploadIdParam(request.params);
      const body = bodyObject(request.body);
      const key = stringField(body, 'key', 1024);
      checkObjectKey(key);
      const parts = partsField(body.parts);
      await requireS3Permission(ctx, storage, session, request, { action: 's3:PutObject', bucket, key });
      const info = await storage.layer.completeMultipartUpload(bucket, key, uploadId, parts);
      return { key: info.key, size: info.size, etag: info.etag };
    }),
  );

  app.delete(
    '/api/v1/buckets/:bucket/uploads/:uploadId',
    withSession(ctx, {}, async (session, request, reply) => {
      const storage = storageOf(ctx);
      const bucket = bucketParam(request);
      const uploadId = uploadIdParam(request.params);
      const key = keyParam(request);
      await requireS3Permission(ctx, storage, session, request, { action: 's3:AbortMultipartUpload', bucket, key });
      await storage.layer.abortMultipartUpload(bucket, key, uploadId);
      return reply.code(204).send();
    }),
  );

  app.register(async (scope) => {
    leaveBodiesUnread(scope);
    scope.put('/api/v1/buckets/:bucket/uploads/:uploadId/parts/:partNumber', async (request): Promise<PartWriteResponse> =>
      withUpload(request.raw, async () => {
        const session = await resolveSession(ctx, request);
        const storage = storageOf(ctx);
        const bucket = bucketParam(request);
        const uploadId = uploadIdParam(request.params);
        const partNumber = partNumberParam(request.params);
        const key = keyParam(request);
        const size = contentLength(request, LIMITS.maxPartSize);
        await requireS3Permission(ctx, storage, session, request, { action: 's3:PutObject', bucket, key });
        const part = await storage.layer.putObjectPart(bucket, key, uploadId, partNumber, request.raw, { size });
        return { partNumber: part.partNumber, etag: part.etag };
      }),
    );
  });
}

function uploadIdParam(params: unknown): string {
  const id = (params as Record<string, string | undefined>).uploadId ?? '';
  if (!/^[A-Za-z0-9._~-]{1,200}$/.test(id)) throw new ConsoleError('InvalidRequest', 'The upload id is not valid.');
  return id;
}

function partNumberParam(params: unknown): number {
  const text = (params as Record<string, string | undefined>).partNumber ?? '';
  const n = /^\d{1,5}$/.test(text) ? Number(text) : NaN;
  if (!(n >= 1 && n <= LIMITS.maxParts)) throw new ConsoleError('InvalidRequest', `The part number must be a whole number from 1 to ${LIMITS.maxParts}.`);
  return n;
}

function partsField(v: unknown): { partNumber: number; etag: string }[] {
  if (!Array.isArray(v) || v.length === 0 || v.length > LIMITS.maxParts) throw new ConsoleError('InvalidRequest', `parts must be a list of 1 to ${LIMITS.maxParts} parts.`);
  return v.map((p, i) => {
    const { partNumber, etag } = (p ?? {}) as { partNumber?: unknown; etag?: unknown };
    if (typeof partNumber !== 'number' || !Number.isInteger(partNumber) || typeof etag !== 'string' || etag.length === 0 || etag.length > 128) {
      throw new ConsoleError('InvalidRequest', `parts[${i}] must be { partNumber, etag }.`);
    }
    return { partNumber, etag };
  });
}
