import { GranaryError } from '../../common/errors.js';
import type { CompletePart } from '../../object/object-layer.js';
import { verifiedBody } from '../body-checks.js';
import { CHECKSUM_ALGORITHMS } from '../checksum/algorithms.js';
import { CHECKSUM_TYPES, defaultChecksumType, multipartChecksum, type ChecksumType } from '../checksum/composite.js';
import { intParam, readXmlBody, requireKey, type S3Context, type S3Reply } from '../context.js';
import { metadataFromHeaders } from '../metadata-headers.js';
import { s3Xml } from '../xml.js';
import { xml } from './bucket.js';
import { tagsFromHeader } from './tagging.js';
import { checksumHeaders } from './object-put.js';

export async function createMultipartUpload(ctx: S3Context): Promise<S3Reply> {
  const { bucket, key } = requireKey(ctx);
  const algorithm = ctx.header('x-amz-checksum-algorithm');
  const tags = tagsFromHeader(ctx.header('x-amz-tagging'));
  const uploadId = await ctx.layer.newMultipartUpload(bucket, key, {
    metadata: metadataFromHeaders(ctx.headers),
    ...(algorithm ? { checksumAlgorithm: algorithm.toUpperCase() } : {}),
    ...(tags ? { tags } : {}),
  });
  return xml(s3Xml('InitiateMultipartUploadResult', { Bucket: bucket, Key: key, UploadId: uploadId }), 200, algorithm ? { 'x-amz-checksum-algorithm': algorithm.toUpperCase() } : {});
}

export async function uploadPart(ctx: S3Context): Promise<S3Reply> {
  const { bucket, key } = requireKey(ctx);
  const uploadId = ctx.route.query.get('uploadId');
  const partNumber = intParam(ctx.route.query, 'partNumber', 1, 10_000);
  if (!uploadId || partNumber === undefined) throw new GranaryError('InvalidArgument', 'uploadId and partNumber are required.');
  const body = verifiedBody(ctx);
  const part = await ctx.layer.putObjectPart(bucket, key, uploadId, partNumber, body.stream, {
    ...(ctx.contentLength !== undefined ? { size: ctx.contentLength } : {}),
    checksums: body.checksums,
  });
  return { status: 200, headers: { etag: `"${part.etag}"`, ...checksumHeaders(part.checksums) } };
}

export async function completeMultipartUpload(ctx: S3Context): Promise<S3Reply> {
  const { bucket, key } = requireKey(ctx);
  const uploadId = ctx.route.query.get('uploadId') ?? '';
  const doc = await readXmlBody(ctx);
  const root = doc.CompleteMultipartUpload as Record<string, unknown> | undefined;
  if (!root || typeof root !== 'object') throw new GranaryError('MalformedXML', 'The body must be a <CompleteMultipartUpload> document.');
  const raw = (root.Part ?? []) as unknown[];
  const claimed = new Map<number, Record<string, string>>();
  const parts: CompletePart[] = raw.map((p) => {
    const r = (p ?? {}) as Record<string, unknown>;
    const n = Number(String(r.PartNumber ?? '').trim());
    if (typeof r.ETag !== 'string' || !Number.isInteger(n)) throw new GranaryError('MalformedXML', 'Every <Part> needs a <PartNumber> and an <ETag>.');
    const sums: Record<string, string> = {};
    for (const alg of CHECKSUM_ALGORITHMS) if (typeof r[`Checksum${alg}`] === 'string') sums[alg] = (r[`Checksum${alg}`] as string).trim();
    claimed.set(n, sums);
    return { partNumber: n, etag: r.ETag };
  });
  const checksums = await uploadChecksum(ctx, bucket, key, uploadId, parts, claimed);
  const info = await ctx.layer.completeMultipartUpload(bucket, key, uploadId, parts, { checksums });
  return xml(s3Xml('CompleteMultipartUploadResult', {
    Location: `/${bucket}/${encodeURIComponent(key)}`,
    Bucket: bucket,
    Key: key,
    ETag: `"${info.etag}"`,
    ...Object.fromEntries(Object.entries(info.checksums).map(([alg, v]) => [`Checksum${alg}`, v])),
  }), 200, checksumHeaders(info.checksums));
}

/**
 * Each part's checksum the client restates must be the one stored; when every
 * listed part has one of the same algorithm, the object gets S3's multipart
 * checksum: composite ("checksum of checksums-N") or, for CRCs when asked and
 * always for CRC64NVME, the full-object CRC combined from the parts. A
 * full-object value the client sends must match it.
 */
async function uploadChecksum(ctx: S3Context, bucket: string, key: string, uploadId: string, parts: CompletePart[], claimed: Map<number, Record<string, string>>): Promise<Record<string, string>> {
  const stored = new Map<number, { sums: Record<string, string>; size: number }>();
  let marker = 0;
  for (;;) {
    const page = await ctx.layer.listParts(bucket, key, uploadId, { partNumberMarker: marker, maxParts: 1000 });
    for (const p of page.parts) stored.set(p.partNumber, { sums: p.checksums, size: p.size });
    if (!page.isTruncated || page.nextPartNumberMarker === undefined) break;
    marker = page.nextPartNumberMarker;
  }
  for (const p of parts) {
    for (const [alg, v] of Object.entries(claimed.get(p.partNumber) ?? {})) {
      if (stored.get(p.partNumber)?.sums[alg] !== v) throw new GranaryError('InvalidPart', `The ${alg} checksum of part ${p.partNumber} does not match the uploaded part.`);
    }
  }
  const typeHeader = ctx.header('x-amz-checksum-type')?.toUpperCase();
  if (typeHeader !== undefined && !(CHECKSUM_TYPES as readonly string[]).includes(typeHeader)) throw new GranaryError('InvalidRequest', 'x-amz-checksum-type must be COMPOSITE or FULL_OBJECT.');
  for (const alg of CHECKSUM_ALGORITHMS) {
    const values = parts.map((p) => ({ value: stored.get(p.partNumber)?.sums[alg], size: stored.get(p.partNumber)?.size ?? 0 }));
    if (!values.every((v): v is { value: string; size: number } => v.value !== undefined)) continue;
    const type = (typeHeader as ChecksumType | undefined) ?? defaultChecksumType(alg);
    const value = multipartChecksum(alg, type, values);
    const sent = ctx.header(`x-amz-checksum-${alg.toLowerCase()}`);
    if (sent !== undefined && sent.trim().replace(/-\d+$/, '') !== value.replace(/-\d+$/, '')) {
      throw new GranaryError('BadDigest', `The ${alg} you specified did not match the calculated checksum.`);
    }
    return { [alg]: value };
  }
  return {};
}

export async function abortMultipartUpload(ctx: S3Context): Promise<S3Reply> {
  const { bucket, key } = requireKey(ctx);
  await ctx.layer.abortMultipartUpload(bucket, key, ctx.route.query.get('uploadId') ?? '');
  return { status: 204 };
}
