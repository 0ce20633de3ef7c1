import { GranaryError } from '../../common/errors.js';
import { etagMatches } from '../conditionals.js';
import { requireKey, type S3Context, type S3Reply } from '../context.js';
import { verifiedBody } from '../body-checks.js';
import { metadataFromHeaders } from '../metadata-headers.js';
import type { ObjectInfo } from '../../object/object-layer.js';
import { tagsFromHeader } from './tagging.js';

export async function putObject(ctx: S3Context): Promise<S3Reply> {
  const { bucket, key } = requireKey(ctx);
  const metadata = metadataFromHeaders(ctx.headers);
  const tags = tagsFromHeader(ctx.header('x-amz-tagging'));
  const ifNoneMatch = ctx.header('if-none-match');
  const ifMatch = ctx.header('if-match');
  let precondition: ((current: ObjectInfo | null) => void) | undefined;
  if (ifNoneMatch !== undefined || ifMatch !== undefined) {
    // Conditional writes: If-None-Match: * creates only; If-Match overwrites only that ETag.
    if (ifNoneMatch !== undefined && ifNoneMatch.trim() !== '*') throw new GranaryError('NotImplemented', 'If-None-Match on PUT accepts only "*".');
    precondition = (current) => {
      if (ifNoneMatch !== undefined && current !== null) throw new GranaryError('PreconditionFailed', 'At least one of the pre-conditions you specified did not hold: the object exists.');
      if (ifMatch !== undefined && (current === null || !etagMatches(ifMatch, current.etag))) {
        throw current === null ? new GranaryError('NoSuchKey') : new GranaryError('PreconditionFailed');
      }
    };
    // Refuse early when it already fails, before the body is uploaded; the object layer checks again under the key's lock.
    let current: ObjectInfo | null = null;
    try {
      current = await ctx.layer.headObject(bucket, key);
    } catch (err) {
      if (!(err instanceof GranaryError && err.code === 'NoSuchKey')) throw err;
    }
    precondition(current);
  }
  const body = verifiedBody(ctx);
  const info = await ctx.layer.putObject(bucket, key, body.stream, {
    ...(ctx.contentLength !== undefined ? { size: ctx.contentLength } : {}),
    metadata,
    checksums: body.checksums,
    ...(tags ? { tags } : {}),
    ...(precondition ? { precondition } : {}),
  });
  return { status: 200, headers: { etag: `"${info.etag}"`, ...checksumHeaders(info.checksums) } };
}

export function checksumHeaders(checksums: Record<string, string>): Record<string, string> {
  const h: Record<string, string> = {};
  for (const [alg, value] of Object.entries(checksums)) h[`x-amz-checksum-${alg.toLowerCase()}`] = value;
  return h;
}
