import { GranaryError } from '../../common/errors.js';
import { intParam, requireKey, type S3Context, type S3Reply } from '../context.js';
import { s3Xml } from '../xml.js';
import { xml } from './bucket.js';

const ATTRIBUTES = ['ETag', 'Checksum', 'ObjectParts', 'StorageClass', 'ObjectSize'];

export async function getObjectAttributes(ctx: S3Context): Promise<S3Reply> {
  const { bucket, key } = requireKey(ctx);
  const wanted = (ctx.header('x-amz-object-attributes') ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  if (wanted.length === 0) throw new GranaryError('InvalidArgument', 'x-amz-object-attributes must name at least one of ' + ATTRIBUTES.join(', ') + '.');
  const unknown = wanted.find((w) => !ATTRIBUTES.includes(w));
  if (unknown) throw new GranaryError('InvalidArgument', `Invalid attribute name specified: ${unknown}.`);
  const info = await ctx.layer.headObject(bucket, key);
  const body: Record<string, unknown> = {};
  if (wanted.includes('ETag')) body.ETag = info.etag;
  if (wanted.includes('Checksum') && Object.keys(info.checksums).length) {
    body.Checksum = Object.fromEntries(Object.entries(info.checksums).map(([alg, v]) => [`Checksum${alg}`, v]));
  }
  if (wanted.includes('ObjectParts') && info.partSizes.length > 1) {
    const marker = intParam(ctx.route.query, 'part-number-marker', 0, 10_000) ?? intParam(new URLSearchParams(`m=${ctx.header('x-amz-part-number-marker') ?? ''}`), 'm', 0, 10_000) ?? 0;
    const max = Number(ctx.header('x-amz-max-parts') ?? 1000);
    const parts = info.partSizes.map((size, i) => ({ PartNumber: i + 1, Size: size })).filter((p) => p.PartNumber > marker);
    const page = parts.slice(0, Math.max(0, Math.min(max, 1000)));
    body.ObjectParts = {
      PartsCount: info.partSizes.length,
      PartNumberMarker: marker,
      ...(parts.length > page.length && page.length ? { NextPartNumberMarker: page[page.length - 1].PartNumber } : {}),
      MaxParts: max,
      IsTruncated: parts.length > page.length,
      Part: page,
    };
  }
  if (wanted.includes('StorageClass')) body.StorageClass = 'STANDARD';
  if (wanted.includes('ObjectSize')) body.ObjectSize = info.size;
  return xml(s3Xml('GetObjectAttributesResponse', body), 200, { 'last-modified': info.lastModified.toUTCString() });
}
