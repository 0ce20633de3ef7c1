import { GranaryError } from '../../common/errors.js';
import { readBody, requireBucket, type S3Context, type S3Reply } from '../context.js';
import { iso, parseXml, s3Xml } from '../xml.js';

export async function listBuckets(ctx: S3Context, owner: { id: string; name: string }): Promise<S3Reply> {
  // Without s3:ListAllMyBuckets a user sees the buckets they may list (as MinIO does).
  const all = await ctx.layer.listBuckets();
  const buckets = (await ctx.allowed('s3:ListAllMyBuckets')) ? all : await filterAsync(all, (b) => ctx.allowed('s3:ListBucket', b.name));
  return xml(
    s3Xml('ListAllMyBucketsResult', {
      Owner: { ID: owner.id, DisplayName: owner.name },
      Buckets: { Bucket: buckets.map((b) => ({ Name: b.name, CreationDate: iso(b.created) })) },
    }),
  );
}

async function filterAsync<T>(items: T[], keep: (item: T) => Promise<boolean>): Promise<T[]> {
  const out: T[] = [];
  for (const item of items) if (await keep(item)) out.push(item);
  return out;
}

/** Path-style URLs under /granary/ belong to the admin and metrics APIs. */
const RESERVED_BUCKETS = new Set(['granary']);

export async function createBucket(ctx: S3Context): Promise<S3Reply> {
  const bucket = requireBucket(ctx);
  if (RESERVED_BUCKETS.has(bucket)) throw new GranaryError('InvalidBucketName', `The bucket name ${JSON.stringify(bucket)} is reserved by Granary.`);
  const body = await readBody(ctx, 64 * 1024);
  if (body.trim() !== '') {
    const doc = parseXml(body);
    const config = doc.CreateBucketConfiguration as Record<string, unknown> | undefined;
    const location = config && typeof config === 'object' ? config.LocationConstraint : undefined;
    if (location !== undefined && location !== '' && location !== ctx.region) {
      throw new GranaryError('InvalidLocationConstraint', `This server's region is ${ctx.region}; the bucket cannot be created in ${String(location)}.`);
    }
  }
  await ctx.layer.makeBucket(bucket);
  return { status: 200, headers: { location: `/${bucket}` } };
}

export async function headBucket(ctx: S3Context): Promise<S3Reply> {
  await ctx.layer.headBucket(requireBucket(ctx));
  return { status: 200, headers: { 'x-amz-bucket-region': ctx.region } };
}

export async function deleteBucket(ctx: S3Context): Promise<S3Reply> {
  const bucket = requireBucket(ctx);
  await ctx.layer.deleteBucket(bucket);
  // A bucket made later under the same name must not inherit this one's grants.
  await ctx.bucketPolicies.delete(bucket);
  return { status: 204 };
}

export async function getBucketLocation(ctx: S3Context): Promise<S3Reply> {
  await ctx.layer.headBucket(requireBucket(ctx));
  // us-east-1 is reported as an empty constraint, as AWS does.
  return xml(s3Xml('LocationConstraint', { '#text': ctx.region === 'us-east-1' ? '' : ctx.region }));
}

export function xml(body: string, status = 200, headers: Record<string, string> = {}): S3Reply {
  return { status, headers: { 'content-type': 'application/xml', ...headers }, body };
}
