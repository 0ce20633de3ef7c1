import busboy from 'busboy';
import type { IncomingMessage } from 'node:http';
import { PassThrough } from 'node:stream';
import { GranaryError } from '../../common/errors.js';
import { checkPolicyConditions, verifyPostPolicy } from '../auth/post-policy.js';
import type { SecretLookup } from '../auth/sigv4.js';
import { requireBucket, type S3Context, type S3Reply } from '../context.js';
import { metadataFromHeaders } from '../metadata-headers.js';
import { parseXml, s3Xml } from '../xml.js';
import { xml } from './bucket.js';

const MAX_FIELDS = 64;
const MAX_FIELD_BYTES = 20 * 1024;

/**
 * PostObject: a browser form upload authorised by a signed POST policy
 * instead of a signed request. Fields come first (S3 ignores any after the
 * file); the file streams to the object layer within the policy's
 * content-length-range, so an oversized upload is refused before it commits.
 */
/** `adopt` makes the policy's signer the request's identity, once its signature is verified. */
export async function postObject(ctx: S3Context, raw: IncomingMessage, lookup: SecretLookup, adopt: (accessKey: string) => void): Promise<S3Reply> {
  const bucket = requireBucket(ctx);
  const type = ctx.header('content-type') ?? '';
  if (!/^multipart\/form-data/i.test(type)) throw new GranaryError('MalformedPOSTRequest', 'A POST upload must be multipart/form-data.');
  let bb: busboy.Busboy;
  try {
    bb = busboy({ headers: raw.headers, limits: { fields: MAX_FIELDS, fieldSize: MAX_FIELD_BYTES, files: 1, fieldNameSize: 200 } });
  } catch (err) {
    throw new GranaryError('MalformedPOSTRequest', (err as Error).message);
  }
  const fields = new Map<string, string>();
  const file = await new Promise<{ stream: NodeJS.ReadableStream; filename: string; mime: string }>((resolve, reject) => {
    bb.on('field', (name, value, info) => {
      if (info.valueTruncated) return reject(new GranaryError('MalformedPOSTRequest', `The form field ${name} is too large.`));
      fields.set(name.toLowerCase(), value);
    });
    bb.on('file', (name, stream, info) => {
      if (name.toLowerCase() !== 'file') {
        stream.resume();
        return;
      }
      resolve({ stream, filename: info.filename ?? '', mime: info.mimeType });
    });
    bb.on('fieldsLimit', () => reject(new GranaryError('MalformedPOSTRequest', `A POST upload has at most ${MAX_FIELDS} fields.`)));
    bb.on('error', (err) => reject(new GranaryError('MalformedPOSTRequest', (err as Error).message)));
    bb.on('close', () => reject(new GranaryError('InvalidArgument', 'POST requires exactly one file upload per request.')));
    raw.pipe(bb);
  });

  const { policy, accessKey } = verifyPostPolicy(fields, lookup, { region: ctx.region });
  adopt(accessKey);
  const keyTemplate = fields.get('key');
  if (!keyTemplate) throw new GranaryError('InvalidArgument', 'Bucket POST must contain a field named \'key\'.');
  checkPolicyConditions(policy, fields, bucket);
  const key = keyTemplate.replaceAll('${filename}', file.filename);
  await ctx.authorize('s3:PutObject', bucket, key);

  const headers: Record<string, string> = {};
  for (const [k, v] of fields) if (k.startsWith('x-amz-meta-') || ['cache-control', 'content-disposition', 'content-encoding', 'expires'].includes(k)) headers[k] = v;
  headers['content-type'] = fields.get('content-type') ?? file.mime ?? 'binary/octet-stream';
  const range = policy.lengthRange;
  async function* limited(): AsyncGenerator<Uint8Array> {
    let n = 0;
    for await (const chunk of file.stream.pipe(new PassThrough()) as AsyncIterable<Buffer>) {
      n += chunk.length;
      if (range && n > range.max) throw new GranaryError('EntityTooLarge', `Your proposed upload exceeds the maximum allowed size of ${range.max} bytes.`);
      yield chunk;
    }
    if (range && n < range.min) throw new GranaryError('EntityTooSmall', `Your proposed upload is smaller than the minimum allowed size of ${range.min} bytes.`);
  }
  const tags = fields.has('tagging') ? tagsFromXmlField(fields.get('tagging')!) : undefined;
  const info = await ctx.layer.putObject(bucket, key, limited(), { metadata: metadataFromHeaders(headers), ...(tags ? { tags } : {}) });

  const redirect = fields.get('success_action_redirect') ?? fields.get('redirect');
  if (redirect) {
    try {
      const url = new URL(redirect);
      url.searchParams.set('bucket', bucket);
      url.searchParams.set('key', key);
      url.searchParams.set('etag', `"${info.etag}"`);
      return { status: 303, headers: { location: url.toString(), etag: `"${info.etag}"` } };
    } catch {
      // Not a URL: S3 then answers as without a redirect.
    }
  }
  const status = fields.get('success_action_status');
  const location = `/${bucket}/${encodeURIComponent(key)}`;
  if (status === '201') return xml(s3Xml('PostResponse', { Location: location, Bucket: bucket, Key: key, ETag: `"${info.etag}"` }, false), 201, { etag: `"${info.etag}"`, location });
  return { status: status === '200' ? 200 : 204, headers: { etag: `"${info.etag}"`, location } };
}

/** The `tagging` form field holds a <Tagging> document. */
function tagsFromXmlField(value: string): Record<string, string> {
  const doc = parseXml(value);
  const set = (doc.Tagging as Record<string, unknown> | undefined)?.TagSet as Record<string, unknown> | undefined;
  const tags: Record<string, string> = {};
  for (const t of ((set && typeof set === 'object' ? set.Tag : []) ?? []) as Record<string, unknown>[]) {
    if (typeof t?.Key === 'string') tags[t.Key] = typeof t.Value === 'string' ? t.Value : '';
  }
  return tags;
}
