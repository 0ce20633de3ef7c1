import { GranaryError } from '../common/errors.js';
import { keyFromBytes } from '../object/names.js';

/** Every S3 operation the router can name; the dispatcher maps each to a handler or to NotImplemented. */
export type Endpoint =
  | 'ListBuckets' | 'CreateBucket' | 'HeadBucket' | 'DeleteBucket' | 'GetBucketLocation'
  | 'GetBucketPolicy' | 'PutBucketPolicy' | 'DeleteBucketPolicy' | 'GetBucketPolicyStatus'
  | 'ListObjects' | 'ListObjectsV2' | 'ListMultipartUploads' | 'DeleteObjects' | 'PostObject'
  | 'PutObject' | 'CopyObject' | 'GetObject' | 'HeadObject' | 'DeleteObject' | 'GetObjectAttributes'
  | 'PutObjectTagging' | 'GetObjectTagging' | 'DeleteObjectTagging'
  | 'CreateMultipartUpload' | 'UploadPart' | 'UploadPartCopy' | 'CompleteMultipartUpload' | 'AbortMultipartUpload' | 'ListParts'
  | 'ServicePost'
  | 'NotImplemented';

export interface Route {
  endpoint: Endpoint;
  bucket?: string;
  key?: string;
  query: URLSearchParams;
  /** The S3 operation a NotImplemented route stands for, for the message. */
  what?: string;
}

/** Bucket subresources S3 defines that Granary does not serve (yet): answered 501, never 404. */
const BUCKET_UNSUPPORTED = [
  'acl', 'cors', 'lifecycle', 'versioning', 'tagging', 'encryption', 'website', 'logging',
  'notification', 'replication', 'object-lock', 'ownershipControls', 'publicAccessBlock', 'accelerate', 'requestPayment',
  'analytics', 'metrics', 'inventory', 'intelligent-tiering', 'versions', 'session',
];
const OBJECT_UNSUPPORTED = ['acl', 'torrent', 'retention', 'legal-hold', 'restore', 'select', 'renameObject'];

export function parseQuery(raw: string): URLSearchParams {
  try {
    // Validate the escapes: URLSearchParams silently keeps a malformed one.
    for (const part of raw.split('&')) if (part) decodeURIComponent(part.replace(/\+/g, ' '));
  } catch {
    throw new GranaryError('InvalidArgument', 'The query string has a malformed percent-escape.');
  }
  const query = new URLSearchParams(raw);
  // SigV4 signs the parameters sorted, so two orders of a repeated name carry one signature:
  // a repeat must not be allowed to mean something (first or last wins), so it is refused.
  const seen = new Set<string>();
  for (const name of query.keys()) {
    if (seen.has(name)) throw new GranaryError('InvalidArgument', `The query parameter ${JSON.stringify(name)} is given more than once.`);
    seen.add(name);
  }
  return query;
}

/** Percent-decodes a path segment to bytes, refusing malformed escapes. */
function decodePath(raw: string): Uint8Array {
  const out: number[] = [];
  for (let i = 0; i < raw.length; i++) {
    const c = raw.charCodeAt(i);
    if (c === 0x25) {
      const hex = raw.slice(i + 1, i + 3);
      if (!/^[0-9A-Fa-f]{2}$/.test(hex)) throw new GranaryError('InvalidArgument', 'The request path has a malformed percent-escape.');
      out.push(parseInt(hex, 16));
      i += 2;
    } else if (c < 0x80) {
      out.push(c);
    } else {
      out.push(...Buffer.from(raw[i], 'utf8'));
    }
  }
  return Uint8Array.from(out);
}

export function route(method: string, rawPath: string, rawQuery: string, host: string | undefined, domain: string | undefined, copySource: boolean): Route {
  const query = parseQuery(rawQuery);
  let bucket: string | undefined;
  let keyPath: string;
  const hostname = (host ?? '').replace(/:\d+$/, '').toLowerCase();
  if (domain && hostname.endsWith(`.${domain}`)) {
    bucket = hostname.slice(0, -domain.length - 1);
    keyPath = rawPath.slice(1);
  } else {
    const rest = rawPath.slice(1);
    const slash = rest.indexOf('/');
    const b = slash < 0 ? rest : rest.slice(0, slash);
    if (b) bucket = Buffer.from(decodePath(b)).toString('utf8');
    keyPath = slash < 0 ? '' : rest.slice(slash + 1);
  }
  const key = keyPath ? keyFromBytes(decodePath(keyPath)) : undefined;
  const has = (name: string) => query.has(name);
  const r = (endpoint: Endpoint, what?: string): Route => ({ endpoint, query, ...(bucket !== undefined ? { bucket } : {}), ...(key !== undefined ? { key } : {}), ...(what ? { what } : {}) });
  const unsupported = (list: string[]) => list.find(has);

  if (bucket === undefined) {
    if (method === 'GET') return r('ListBuckets');
    if (method === 'POST') return r('ServicePost');
    return r('NotImplemented', `${method} /`);
  }
  if (key === undefined) {
    if (has('policy') || has('policyStatus')) {
      if (method === 'GET') return r(has('policyStatus') ? 'GetBucketPolicyStatus' : 'GetBucketPolicy');
      if (method === 'PUT' && has('policy')) return r('PutBucketPolicy');
      if (method === 'DELETE' && has('policy')) return r('DeleteBucketPolicy');
      throw new GranaryError('MethodNotAllowed');
    }
    const sub = unsupported(BUCKET_UNSUPPORTED);
    switch (method) {
      case 'PUT': return sub ? r('NotImplemented', `PutBucket ${sub}`) : r('CreateBucket');
      case 'HEAD': return r('HeadBucket');
      case 'DELETE': return sub ? r('NotImplemented', `DeleteBucket ${sub}`) : r('DeleteBucket');
      case 'GET':
        if (has('location')) return r('GetBucketLocation');
        if (has('uploads')) return r('ListMultipartUploads');
        if (sub) return r('NotImplemented', `GetBucket ${sub}`);
        return query.get('list-type') === '2' ? r('ListObjectsV2') : r('ListObjects');
      case 'POST':
        if (has('delete')) return r('DeleteObjects');
        return r('PostObject');
      default:
        throw new GranaryError('MethodNotAllowed');
    }
  }
  const sub = unsupported(OBJECT_UNSUPPORTED);
  if (sub) return r('NotImplemented', `${method} object ${sub}`);
  switch (method) {
    case 'PUT':
      if (has('tagging')) return r('PutObjectTagging');
      if (has('uploadId') || has('partNumber')) return r(copySource ? 'UploadPartCopy' : 'UploadPart');
      return r(copySource ? 'CopyObject' : 'PutObject');
    case 'GET':
      if (has('uploadId')) return r('ListParts');
      if (has('tagging')) return r('GetObjectTagging');
      if (has('attributes')) return r('GetObjectAttributes');
      return r('GetObject');
    case 'HEAD':
      return r('HeadObject');
    case 'DELETE':
      if (has('uploadId')) return r('AbortMultipartUpload');
      if (has('tagging')) return r('DeleteObjectTagging');
      return r('DeleteObject');
    case 'POST':
      if (has('uploads')) return r('CreateMultipartUpload');
      if (has('uploadId')) return r('CompleteMultipartUpload');
      return r('NotImplemented', 'POST object');
    default:
      throw new GranaryError('MethodNotAllowed');
  }
}
