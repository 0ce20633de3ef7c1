import { GranaryError } from '../../common/errors.js';
import { checkPreconditions } from '../conditionals.js';
import { intParam, requireKey, type S3Context, type S3Reply } from '../context.js';
import { objectHeaders } from '../metadata-headers.js';
import { parseRange } from '../range.js';
import { checksumHeaders } from './object-put.js';

export async function headObject(ctx: S3Context): Promise<S3Reply> {
  const { bucket, key } = requireKey(ctx);
  const info = await ctx.layer.headObject(bucket, key);
  checkPreconditions(ctx.header, info.etag, info.lastModified);
  const headers = objectHeaders(info, ctx.route.query);
  const range = partRange(ctx, info.partSizes) ?? parseRange(ctx.header('range'), info.size);
  if (ctx.header('x-amz-checksum-mode')?.toUpperCase() === 'ENABLED') Object.assign(headers, checksumHeaders(info.checksums));
  if (range) {
    headers['content-range'] = `bytes ${range.start}-${range.end}/${info.size}`;
    headers['content-length'] = String(range.end - range.start + 1);
    return { status: 206, headers };
  }
  headers['content-length'] = String(info.size);
  return { status: 200, headers };
}

export async function getObject(ctx: S3Context): Promise<S3Reply> {
  const { bucket, key } = requireKey(ctx);
  // One resolve: preconditions, then the range, are decided on the version being read.
  const got = await ctx.layer.getObject(bucket, key, {
    range: (info) => {
      checkPreconditions(ctx.header, info.etag, info.lastModified);
      return partRange(ctx, info.partSizes) ?? parseRange(ctx.header('range'), info.size);
    },
  });
  const headers = objectHeaders(got.info, ctx.route.query);
  if (ctx.header('x-amz-checksum-mode')?.toUpperCase() === 'ENABLED' && !got.range) Object.assign(headers, checksumHeaders(got.info.checksums));
  if (got.range) {
    headers['content-range'] = `bytes ${got.range.start}-${got.range.end}/${got.info.size}`;
    headers['content-length'] = String(got.range.end - got.range.start + 1);
    return { status: 206, headers, body: got.body };
  }
  headers['content-length'] = String(got.info.size);
  return { status: 200, headers, body: got.body };
}

/** `?partNumber=N` reads one part of a multipart object (a single-part object has part 1). */
function partRange(ctx: S3Context, partSizes: number[]): { start: number; end: number } | undefined {
  const n = intParam(ctx.route.query, 'partNumber', 1, 10_000);
  if (n === undefined) return undefined;
  if (n > partSizes.length) throw new GranaryError('InvalidPart', `The object has ${partSizes.length} part(s).`);
  const start = partSizes.slice(0, n - 1).reduce((a, b) => a + b, 0);
  if (partSizes[n - 1] === 0) return undefined;
  return { start, end: start + partSizes[n - 1] - 1 };
}
