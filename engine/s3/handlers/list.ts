import { GranaryError } from '../../common/errors.js';
import { intParam, requireBucket, requireKey, type S3Context, type S3Reply } from '../context.js';
import { iso, s3Xml } from '../xml.js';
import { xml } from './bucket.js';

const OWNER = { ID: 'granary', DisplayName: 'granary' };

function encoder(q: URLSearchParams): (s: string) => string {
  const type = q.get('encoding-type');
  if (type !== null && type !== 'url') throw new GranaryError('InvalidArgument', 'Invalid Encoding Method specified in Request: only "url" is supported.');
  return type === 'url' ? (s) => encodeURIComponent(s).replace(/%2F/g, '/') : (s) => s;
}

function contents(objects: { key: string; size: number; etag: string; lastModified: Date }[], enc: (s: string) => string, owner: boolean) {
  return objects.map((o) => ({
    Key: enc(o.key),
    LastModified: iso(o.lastModified),
    ETag: `"${o.etag}"`,
    Size: o.size,
    StorageClass: 'STANDARD',
    ...(owner ? { Owner: OWNER } : {}),
  }));
}

export async function listObjectsV1(ctx: S3Context): Promise<S3Reply> {
  const bucket = requireBucket(ctx);
  const q = ctx.route.query;
  const enc = encoder(q);
  const prefix = q.get('prefix') ?? '';
  const delimiter = q.get('delimiter') ?? '';
  const marker = q.get('marker') ?? '';
  const maxKeys = intParam(q, 'max-keys', 0, Number.MAX_SAFE_INTEGER) ?? 1000;
  const r = await ctx.layer.listObjects(bucket, { prefix, delimiter, after: marker, maxKeys });
  return xml(
    s3Xml('ListBucketResult', {
      Name: bucket,
      Prefix: enc(prefix),
      Marker: enc(marker),
      ...(r.isTruncated && r.nextMarker !== undefined ? { NextMarker: enc(r.nextMarker) } : {}),
      MaxKeys: maxKeys,
      ...(delimiter ? { Delimiter: enc(delimiter) } : {}),
      IsTruncated: r.isTruncated,
      ...(q.get('encoding-type') ? { EncodingType: 'url' } : {}),
      Contents: contents(r.objects, enc, true),
      CommonPrefixes: r.commonPrefixes.map((p) => ({ Prefix: enc(p) })),
    }),
  );
}

export async function listObjectsV2(ctx: S3Context): Promise<S3Reply> {
  const bucket = requireBucket(ctx);
  const q = ctx.route.query;
  const enc = encoder(q);
  const prefix = q.get('prefix') ?? '';
  const delimiter = q.get('delimiter') ?? '';
  const startAfter = q.get('start-after') ?? '';
  const token = q.get('continuation-token');
  const maxKeys = intParam(q, 'max-keys', 0, Number.MAX_SAFE_INTEGER) ?? 1000;
  let after = startAfter;
  if (token !== null) {
    const decoded = Buffer.from(token, 'base64url').toString('utf8');
    if (!token || Buffer.from(decoded, 'utf8').toString('base64url') !== token.replace(/=+$/, '')) {
      throw new GranaryError('InvalidArgument', 'The continuation token provided is incorrect.');
    }
    after = decoded;
  }
  const r = await ctx.layer.listObjects(bucket, { prefix, delimiter, after, maxKeys });
  const fetchOwner = q.get('fetch-owner') === 'true';
  return xml(
    s3Xml('ListBucketResult', {
      Name: bucket,
      Prefix: enc(prefix),
      ...(q.has('start-after') ? { StartAfter: enc(startAfter) } : {}),
      ...(token !== null ? { ContinuationToken: token } : {}),
      ...(r.isTruncated && r.nextMarker !== undefined ? { NextContinuationToken: Buffer.from(r.nextMarker, 'utf8').toString('base64url') } : {}),
      KeyCount: r.objects.length + r.commonPrefixes.length,
      MaxKeys: maxKeys,
      ...(delimiter ? { Delimiter: enc(delimiter) } : {}),
      IsTruncated: r.isTruncated,
      ...(q.get('encoding-type') ? { EncodingType: 'url' } : {}),
      Contents: contents(r.objects, enc, fetchOwner),
      CommonPrefixes: r.commonPrefixes.map((p) => ({ Prefix: enc(p) })),
    }),
  );
}

export async function listMultipartUploads(ctx: S3Context): Promise<S3Reply> {
  const bucket = requireBucket(ctx);
  const q = ctx.route.query;
  const enc = encoder(q);
  const prefix = q.get('prefix') ?? '';
  const delimiter = q.get('delimiter') ?? '';
  const keyMarker = q.get('key-marker') ?? '';
  const uploadIdMarker = q.get('upload-id-marker') ?? '';
  const maxUploads = intParam(q, 'max-uploads', 0, Number.MAX_SAFE_INTEGER) ?? 1000;
  const r = await ctx.layer.listMultipartUploads(bucket, { prefix, delimiter, keyMarker, uploadIdMarker, maxUploads });
  return xml(
    s3Xml('ListMultipartUploadsResult', {
      Bucket: bucket,
      KeyMarker: enc(keyMarker),
      UploadIdMarker: uploadIdMarker,
      ...(r.isTruncated ? { NextKeyMarker: enc(r.nextKeyMarker ?? ''), NextUploadIdMarker: r.nextUploadIdMarker ?? '' } : {}),
      Prefix: enc(prefix),
      ...(delimiter ? { Delimiter: enc(delimiter) } : {}),
      MaxUploads: maxUploads,
      IsTruncated: r.isTruncated,
      Upload: r.uploads.map((u) => ({ Key: enc(u.key), UploadId: u.uploadId, Initiator: OWNER, Owner: OWNER, StorageClass: 'STANDARD', Initiated: iso(u.initiated) })),
      CommonPrefixes: r.commonPrefixes.map((p) => ({ Prefix: enc(p) })),
    }),
  );
}

export async function listParts(ctx: S3Context): Promise<S3Reply> {
  const { bucket, key } = requireKey(ctx);
  const q = ctx.route.query;
  const uploadId = q.get('uploadId') ?? '';
  const marker = intParam(q, 'part-number-marker', 0, 10_000) ?? 0;
  const maxParts = intParam(q, 'max-parts', 0, Number.MAX_SAFE_INTEGER) ?? 1000;
  const r = await ctx.layer.listParts(bucket, key, uploadId, { partNumberMarker: marker, maxParts });
  return xml(
    s3Xml('ListPartsResult', {
      Bucket: bucket,
      Key: key,
      UploadId: uploadId,
      Initiator: OWNER,
      Owner: OWNER,
      StorageClass: 'STANDARD',
      PartNumberMarker: marker,
      ...(r.nextPartNumberMarker !== undefined ? { NextPartNumberMarker: r.nextPartNumberMarker } : {}),
      MaxParts: maxParts,
      IsTruncated: r.isTruncated,
      ...(r.checksumAlgorithm ? { ChecksumAlgorithm: r.checksumAlgorithm } : {}),
      Part: r.parts.map((p) => ({
        PartNumber: p.partNumber,
        LastModified: iso(p.lastModified),
        ETag: `"${p.etag}"`,
        Size: p.size,
        ...Object.fromEntries(Object.entries(p.checksums).map(([alg, v]) => [`Checksum${alg.toUpperCase()}`, v])),
      })),
    }),
  );
}
