import type { FastifyInstance, FastifyRequest } from 'fastify';
import { presignUrl } from '../../s3/auth/signer.js';
import type { ShareResponse } from '../../api/console/types.js';
import type { ConsoleContext, S3Endpoint } from '../console-context.js';
import { ConsoleError } from '../console-error.js';
import { bucketParam, storageOf } from '../object-params.js';
import { bodyObject, stringField } from '../request-body.js';
import { requireS3Permission } from '../s3-permission.js';
import { withSession } from '../session-auth.js';
import { checkObjectKey } from '../../object/names.js';

/** SigV4's own limit on a presigned URL's lifetime. */
const MAX_EXPIRY_SECONDS = 7 * 24 * 3600;

/**
 * `POST /buckets/:bucket/share`: a presigned S3 GET URL for one object,
 * signed with the session's own access key, so the link grants exactly what
 * that account may read and stops working when its key is changed or
 * removed. The console refuses a link its account could not use.
 */
export function shareRoutes(app: FastifyInstance, ctx: ConsoleContext): void {
  app.post(
    '/api/v1/buckets/:bucket/share',
    withSession(ctx, {}, async (session, request): Promise<ShareResponse> => {
      const storage = storageOf(ctx);
      const bucket = bucketParam(request);
      const body = bodyObject(request.body);
      const key = stringField(body, 'key', 1024);
      checkObjectKey(key);
      const expires = body.expiresInSeconds;
      if (typeof expires !== 'number' || !Number.isInteger(expires) || expires < 1 || expires > MAX_EXPIRY_SECONDS) {
        throw new ConsoleError('InvalidRequest', `expiresInSeconds must be a whole number from 1 to ${MAX_EXPIRY_SECONDS} (7 days).`);
      }
      await requireS3Permission(ctx, storage, session, request, { action: 's3:GetObject', bucket, key });
      await storage.layer.headObject(bucket, key);
      const creds = ctx.deps.iam.credentials(session.claims.sub);
      if (!creds) throw new ConsoleError('SessionExpired');
      const now = new Date();
      const url = presignUrl({
        method: 'GET',
        url: new URL(`${s3Base(storage.s3, request)}/${encodeURIComponent(bucket)}/${key.split('/').map(encodeURIComponent).join('/')}`),
        accessKey: session.identity.accessKey,
        secretKey: creds.secretKey,
        region: storage.s3.region,
        service: 's3',
        expires,
        date: now,
      });
      return { url: url.toString(), expiresAt: new Date(now.getTime() + expires * 1000).toISOString() };
    }),
  );
}

/**
 * The S3 endpoint as the person sharing can reach it: the S3 port's own
 * address, or, when it listens on every interface, the host name this
 * browser reached the console by (checked by the console's Host rules).
 */
function s3Base(s3: S3Endpoint, request: FastifyRequest): string {
  const base = new URL(s3.url);
  if (s3.anyInterface) {
    const host = request.hostname.replace(/:\d+$/, '');
    if (host) base.hostname = host;
  }
  return base.origin;
}
