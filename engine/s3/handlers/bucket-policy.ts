import { GranaryError } from '../../common/errors.js';
import { readBody, requireBucket, type S3Context, type S3Reply } from '../context.js';
import { s3Xml } from '../xml.js';
import { xml } from './bucket.js';

/** AWS caps bucket policies at 20 KB. */
const MAX_POLICY_BYTES = 20 * 1024;

export async function getBucketPolicy(ctx: S3Context): Promise<S3Reply> {
  const bucket = requireBucket(ctx);
  await ctx.layer.headBucket(bucket);
  const doc = ctx.bucketPolicies.get(bucket);
  if (doc === undefined) throw new GranaryError('NoSuchBucketPolicy');
  return { status: 200, headers: { 'content-type': 'application/json' }, body: doc };
}

export async function putBucketPolicy(ctx: S3Context): Promise<S3Reply> {
  const bucket = requireBucket(ctx);
  await ctx.layer.headBucket(bucket);
  const body = await readBody(ctx, MAX_POLICY_BYTES);
  if (body.trim() === '') throw new GranaryError('MalformedPolicy', 'The bucket policy is empty.');
  await ctx.bucketPolicies.put(bucket, body);
  return { status: 204 };
}

export async function deleteBucketPolicy(ctx: S3Context): Promise<S3Reply> {
  const bucket = requireBucket(ctx);
  await ctx.layer.headBucket(bucket);
  await ctx.bucketPolicies.delete(bucket);
  return { status: 204 };
}

/**
 * Public as AWS judges it, simplified: some Allow statement names every
 * principal and narrows it by no condition (any condition, such as a source
 * address, is taken as a fixed set of callers).
 */
export async function getBucketPolicyStatus(ctx: S3Context): Promise<S3Reply> {
  const bucket = requireBucket(ctx);
  await ctx.layer.headBucket(bucket);
  const doc = ctx.bucketPolicies.get(bucket);
  if (doc === undefined) throw new GranaryError('NoSuchBucketPolicy');
  return xml(s3Xml('PolicyStatus', { IsPublic: isPublic(JSON.parse(doc)) ? 'TRUE' : 'FALSE' }));
}

function isPublic(policy: { Statement?: unknown }): boolean {
  const statements = Array.isArray(policy.Statement) ? policy.Statement : [policy.Statement];
  return statements.some((s) => {
    if (!s || typeof s !== 'object') return false;
    const st = s as { Effect?: unknown; Principal?: unknown; Condition?: unknown };
    const p = st.Principal;
    const everyone = p === '*' || (p !== null && typeof p === 'object' && [(p as { AWS?: unknown }).AWS].flat().includes('*'));
    return st.Effect === 'Allow' && everyone && (st.Condition === undefined || Object.keys(st.Condition as object).length === 0);
  });
}
