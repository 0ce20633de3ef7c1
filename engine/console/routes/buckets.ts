import type { FastifyInstance } from 'fastify';
import { GranaryError } from '../../common/errors.js';
import { checkBucketName } from '../../object/names.js';
import type { BucketListResponse, BucketSummary } from '../../api/console/types.js';
import type { ConsoleContext } from '../console-context.js';
import { bucketParam, storageOf } from '../object-params.js';
import { bodyObject, stringField } from '../request-body.js';
import { requireS3Permission } from '../s3-permission.js';
import { withSession } from '../session-auth.js';

/** Path-style URLs under /granary/ belong to the admin and metrics APIs (as the S3 port refuses it). */
const RESERVED_BUCKETS = new Set(['granary']);

/** `GET /buckets`, `POST /buckets`, `DELETE /buckets/:bucket`. */
export function bucketRoutes(app: FastifyInstance, ctx: ConsoleContext): void {
  app.get(
    '/api/v1/buckets',
    withSession(ctx, {}, async (session, request): Promise<BucketListResponse> => {
      const storage = storageOf(ctx);
      const all = await storage.layer.listBuckets();
      // As the S3 port (and MinIO): without s3:ListAllMyBuckets, the buckets this identity may list.
      let visible = all;
      try {
        await requireS3Permission(ctx, storage, session, request, { action: 's3:ListAllMyBuckets' });
      } catch {
        visible = [];
        for (const b of all) {
          const ok = await requireS3Permission(ctx, storage, session, request, { action: 's3:ListBucket', bucket: b.name, listing: { prefix: '' } }).then(() => true, () => false);
          if (ok) visible.push(b);
        }
      }
      return { buckets: visible.map((b): BucketSummary => ({ name: b.name, created: b.created.toISOString() })) };
    }),
  );

  app.post(
    '/api/v1/buckets',
    withSession(ctx, {}, async (session, request, reply): Promise<BucketSummary> => {
      const storage = storageOf(ctx);
      // Longer than S3 allows still reaches checkBucketName, which says what is wrong with it.
      const name = stringField(bodyObject(request.body), 'name', 1024);
      checkBucketName(name);
      if (RESERVED_BUCKETS.has(name)) throw new GranaryError('InvalidBucketName', `The bucket name ${JSON.stringify(name)} is reserved by Granary.`);
      await requireS3Permission(ctx, storage, session, request, { action: 's3:CreateBucket', bucket: name });
      await storage.layer.makeBucket(name);
      const info = await storage.layer.headBucket(name);
      reply.code(201);
      return { name: info.name, created: info.created.toISOString() };
    }),
  );

  app.delete(
    '/api/v1/buckets/:bucket',
    withSession(ctx, {}, async (session, request, reply) => {
      const storage = storageOf(ctx);
      const bucket = bucketParam(request);
      await requireS3Permission(ctx, storage, session, request, { action: 's3:DeleteBucket', bucket });
      await storage.layer.deleteBucket(bucket);
      // A bucket made later under the same name must not inherit this one's grants (as S3 DeleteBucket does).
      await ctx.deps.iam.deleteBucketPolicy(bucket);
      return reply.code(204).send();
    }),
  );
}
