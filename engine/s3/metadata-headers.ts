import type { IncomingHttpHeaders } from 'node:http';
import { GranaryError } from '../common/errors.js';
import type { Metadata, ObjectInfo } from '../object/object-layer.js';

/** System headers S3 stores with an object and returns on GET and HEAD. */
const STORED = ['content-type', 'cache-control', 'content-disposition', 'content-encoding', 'content-language', 'expires', 'x-amz-website-redirect-location', 'x-amz-storage-class'];
/** S3 limits user metadata (x-amz-meta-*) to 2 KiB: names and values in UTF-8. */
const USER_METADATA_MAX = 2048;

function one(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v.join(',') : v;
}

export function metadataFromHeaders(headers: IncomingHttpHeaders): Metadata {
  const m: Metadata = {};
  let userBytes = 0;
  for (const name of STORED) {
    const v = one(headers[name]);
    if (v !== undefined) m[name] = v;
  }
  for (const [name, value] of Object.entries(headers)) {
    if (!name.startsWith('x-amz-meta-')) continue;
    const v = one(value) ?? '';
    userBytes += Buffer.byteLength(name.slice('x-amz-meta-'.length)) + Buffer.byteLength(v);
    m[name] = v;
  }
  if (userBytes > USER_METADATA_MAX) throw new GranaryError('MetadataTooLarge', `Your metadata headers exceed the maximum allowed metadata size of ${USER_METADATA_MAX} bytes.`);
  m['content-type'] ??= 'binary/octet-stream';
  return m;
}

/** The response headers of an object, with `response-*` overrides applied. */
export function objectHeaders(info: ObjectInfo, overrides?: URLSearchParams): Record<string, string> {
  const h: Record<string, string> = {
    etag: `"${info.etag}"`,
    'last-modified': info.lastModified.toUTCString(),
    'accept-ranges': 'bytes',
  };
  for (const [k, v] of Object.entries(info.metadata)) h[k] = v;
  if (info.partSizes.length > 1) h['x-amz-mp-parts-count'] = String(info.partSizes.length);
  const tagCount = Object.keys(info.tags).length;
  if (tagCount > 0) h['x-amz-tagging-count'] = String(tagCount);
  if (overrides) {
    for (const name of ['content-type', 'content-language', 'expires', 'cache-control', 'content-disposition', 'content-encoding']) {
      const v = overrides.get(`response-${name}`);
      if (v !== null) h[name] = v;
    }
  }
  return h;
}
