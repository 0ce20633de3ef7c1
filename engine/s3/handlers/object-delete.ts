import { GranaryError } from '../../common/errors.js';
import { readXmlBody, requireBucket, requireKey, type S3Context, type S3Reply } from '../context.js';
import { s3Xml } from '../xml.js';
import { xml } from './bucket.js';
import { toS3Error } from '../error-response.js';

export async function deleteObject(ctx: S3Context): Promise<S3Reply> {
  const { bucket, key } = requireKey(ctx);
  await ctx.layer.deleteObject(bucket, key);
  return { status: 204 };
}

/** DeleteObjects: up to 1000 keys; each key's failure is reported, not fatal. */
export async function deleteObjects(ctx: S3Context): Promise<S3Reply> {
  const bucket = requireBucket(ctx);
  if (ctx.header('content-md5') === undefined && !Object.keys(ctx.headers).some((h) => h.startsWith('x-amz-checksum-') || h === 'x-amz-sdk-checksum-algorithm')) {
    throw new GranaryError('InvalidRequest', 'Missing required header for this request: Content-MD5 or x-amz-checksum-*.');
  }
  const doc = await readXmlBody(ctx, 2 * 1024 * 1024);
  const del = doc.Delete as Record<string, unknown> | undefined;
  if (!del || typeof del !== 'object') throw new GranaryError('MalformedXML', 'The body must be a <Delete> document.');
  const objects = (del.Object ?? []) as unknown[];
  if (!Array.isArray(objects) || objects.length === 0) throw new GranaryError('MalformedXML', 'The <Delete> document names no <Object>.');
  if (objects.length > 1000) throw new GranaryError('MalformedXML', 'At most 1000 objects can be deleted in one request.');
  const quiet = String(del.Quiet ?? 'false').toLowerCase() === 'true';
  await ctx.layer.headBucket(bucket);
  const deleted: Record<string, unknown>[] = [];
  const errors: Record<string, unknown>[] = [];
  for (const o of objects) {
    const key = o && typeof o === 'object' ? (o as Record<string, unknown>).Key : undefined;
    if (typeof key !== 'string') throw new GranaryError('MalformedXML', 'Every <Object> needs a <Key>.');
    try {
      await ctx.authorize('s3:DeleteObject', bucket, key);
      await ctx.layer.deleteObject(bucket, key);
      if (!quiet) deleted.push({ Key: key });
    } catch (err) {
      const e = toS3Error(err);
      errors.push({ Key: key, Code: e.code, Message: e.message });
    }
  }
  return xml(s3Xml('DeleteResult', { Deleted: deleted, Error: errors }));
}
