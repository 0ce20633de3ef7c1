import { Readable } from 'node:stream';
import { GranaryError } from '../../common/errors.js';
import { keyFromBytes } from '../../object/names.js';
import { checkPreconditions } from '../conditionals.js';
import { intParam, requireKey, type S3Context, type S3Reply } from '../context.js';
import { metadataFromHeaders } from '../metadata-headers.js';
import { parseRange } from '../range.js';
import { iso, s3Xml } from '../xml.js';
import { xml } from './bucket.js';
import { tagsFromHeader } from './tagging.js';

/** `x-amz-copy-source: [/]bucket/key[?versionId=…]`, percent-encoded. */
export function parseCopySource(value: string | undefined): { bucket: string; key: string } {
  if (!value) throw new GranaryError('InvalidArgument', 'x-amz-copy-source is required.');
  let raw = value.startsWith('/') ? value.slice(1) : value;
  const q = raw.indexOf('?');
  if (q >= 0) {
    const version = new URLSearchParams(raw.slice(q + 1)).get('versionId');
    if (version !== null && version !== 'null') throw new GranaryError('NotImplemented', 'Copying a specific version is not supported: Granary keeps one version per key.');
    raw = raw.slice(0, q);
  }
  const slash = raw.indexOf('/');
  if (slash <= 0 || slash === raw.length - 1) throw new GranaryError('InvalidArgument', 'x-amz-copy-source must be bucket/key.');
  let bytes: Buffer;
  try {
    bytes = Buffer.from(decodeURIComponent(raw.slice(slash + 1).replace(/%(?![0-9A-Fa-f]{2})/g, '%25')), 'utf8');
  } catch {
    throw new GranaryError('InvalidArgument', 'x-amz-copy-source is not valid percent-encoded UTF-8.');
  }
  return { bucket: decodeURIComponent(raw.slice(0, slash)), key: keyFromBytes(bytes) };
}

export async function copyObject(ctx: S3Context): Promise<S3Reply> {
  const dst = requireKey(ctx);
  const src = parseCopySource(ctx.header('x-amz-copy-source'));
  await ctx.authorize('s3:GetObject', src.bucket, src.key);
  const info = await ctx.layer.headObject(src.bucket, src.key);
  checkPreconditions(ctx.header, info.etag, info.lastModified, 'x-amz-copy-source-');
  const directive = (ctx.header('x-amz-metadata-directive') ?? 'COPY').toUpperCase();
  if (directive !== 'COPY' && directive !== 'REPLACE') throw new GranaryError('InvalidArgument', 'x-amz-metadata-directive must be COPY or REPLACE.');
  if (src.bucket === dst.bucket && src.key === dst.key && directive === 'COPY') {
    throw new GranaryError('InvalidRequest', 'This copy request is illegal because it is trying to copy an object to itself without changing the object\'s metadata, storage class, website redirect location or encryption attributes.');
  }
  const tagDirective = (ctx.header('x-amz-tagging-directive') ?? 'COPY').toUpperCase();
  if (tagDirective !== 'COPY' && tagDirective !== 'REPLACE') throw new GranaryError('InvalidArgument', 'x-amz-tagging-directive must be COPY or REPLACE.');
  const copied = await ctx.layer.copyObject(src, dst, {
    ...(directive === 'REPLACE' ? { metadata: metadataFromHeaders(ctx.headers) } : {}),
    ...(tagDirective === 'REPLACE' ? { tags: tagsFromHeader(ctx.header('x-amz-tagging')) ?? {} } : {}),
  });
  return xml(s3Xml('CopyObjectResult', { ETag: `"${copied.etag}"`, LastModified: iso(copied.lastModified) }));
}

export async function uploadPartCopy(ctx: S3Context): Promise<S3Reply> {
  const dst = requireKey(ctx);
  const uploadId = ctx.route.query.get('uploadId');
  const partNumber = intParam(ctx.route.query, 'partNumber', 1, 10_000);
  if (!uploadId || partNumber === undefined) throw new GranaryError('InvalidArgument', 'uploadId and partNumber are required.');
  const src = parseCopySource(ctx.header('x-amz-copy-source'));
  await ctx.authorize('s3:GetObject', src.bucket, src.key);
  const info = await ctx.layer.headObject(src.bucket, src.key);
  checkPreconditions(ctx.header, info.etag, info.lastModified, 'x-amz-copy-source-');
  const rangeHeader = ctx.header('x-amz-copy-source-range');
  const range = rangeHeader ? parseRange(rangeHeader, info.size) : undefined;
  if (rangeHeader && !range) throw new GranaryError('InvalidArgument', 'x-amz-copy-source-range must be bytes=first-last.');
  const got = await ctx.layer.getObject(src.bucket, src.key, range ? { range } : {});
  const size = range ? range.end - range.start + 1 : got.info.size;
  const body = got.body instanceof Readable ? got.body : Readable.from([got.body]);
  const part = await ctx.layer.putObjectPart(dst.bucket, dst.key, uploadId, partNumber, body, { size });
  return xml(s3Xml('CopyPartResult', { ETag: `"${part.etag}"`, LastModified: iso(part.lastModified) }));
}
