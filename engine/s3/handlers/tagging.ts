import { GranaryError } from '../../common/errors.js';
import type { Tags } from '../../object/object-layer.js';
import { readXmlBody, requireKey, type S3Context, type S3Reply } from '../context.js';
import { s3Xml } from '../xml.js';
import { xml } from './bucket.js';

export async function getObjectTagging(ctx: S3Context): Promise<S3Reply> {
  const { bucket, key } = requireKey(ctx);
  const tags = await ctx.layer.getObjectTagging(bucket, key);
  return xml(s3Xml('Tagging', { TagSet: { Tag: Object.entries(tags).map(([Key, Value]) => ({ Key, Value })) } }));
}

export async function putObjectTagging(ctx: S3Context): Promise<S3Reply> {
  const { bucket, key } = requireKey(ctx);
  const doc = await readXmlBody(ctx, 64 * 1024);
  const tagging = doc.Tagging as Record<string, unknown> | undefined;
  const set = tagging && typeof tagging === 'object' ? (tagging.TagSet as Record<string, unknown> | string | undefined) : undefined;
  if (!tagging || typeof tagging !== 'object' || set === undefined) throw new GranaryError('MalformedXML', 'The body must be a <Tagging> document with a <TagSet>.');
  const list = typeof set === 'object' && set ? ((set.Tag ?? []) as unknown[]) : [];
  const tags: Tags = {};
  for (const t of list) {
    const r = (t ?? {}) as Record<string, unknown>;
    if (typeof r.Key !== 'string') throw new GranaryError('MalformedXML', 'Every <Tag> needs a <Key>.');
    if (r.Key in tags) throw new GranaryError('InvalidTag', 'Cannot provide multiple Tags with the same key.');
    tags[r.Key] = typeof r.Value === 'string' ? r.Value : '';
  }
  await ctx.layer.putObjectTagging(bucket, key, tags);
  return { status: 200 };
}

export async function deleteObjectTagging(ctx: S3Context): Promise<S3Reply> {
  const { bucket, key } = requireKey(ctx);
  await ctx.layer.putObjectTagging(bucket, key, {});
  return { status: 204 };
}

/** `x-amz-tagging: k1=v1&k2=v2` (URL-encoded) on PUT, CopyObject and CreateMultipartUpload. */
export function tagsFromHeader(value: string | undefined): Tags | undefined {
  if (value === undefined) return undefined;
  const tags: Tags = {};
  for (const [k, v] of new URLSearchParams(value)) {
    if (k in tags) throw new GranaryError('InvalidTag', 'Cannot provide multiple Tags with the same key.');
    tags[k] = v;
  }
  return tags;
}
