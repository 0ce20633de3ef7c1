import type { IncomingHttpHeaders } from 'node:http';
import type { Readable } from 'node:stream';
import { GranaryError } from '../common/errors.js';
import type { Identity } from '../iam/identity.js';
import type { ObjectLayer } from '../object/object-layer.js';
import type { Route } from './router.js';
import { parseXml } from './xml.js';

/** What a handler gets: the route, the verified request body, and the object layer. Nothing about files. */
export interface S3Context {
  layer: ObjectLayer;
  region: string;
  method: string;
  route: Route;
  headers: IncomingHttpHeaders;
  header(name: string): string | undefined;
  /** The payload after signature or checksum verification: consume once. */
  body: AsyncIterable<Uint8Array>;
  /** The payload's length when the client declared it (decoded length for aws-chunked uploads). */
  contentLength: number | undefined;
  /** Trailing headers of an aws-chunked body, known once `body` has been consumed. */
  trailers: Map<string, string>;
  requestId: string;
  /** Who signed the request (anonymous when nobody did). */
  identity: Identity;
  /** Throws AccessDenied unless the authorizer allows `action` on the resource. */
  authorize(action: string, bucket?: string, key?: string): Promise<void>;
  /** Asks without throwing (listing filters). */
  allowed(action: string, bucket?: string, key?: string): Promise<boolean>;
  bucketPolicies: BucketPolicyStore;
}

/** Where bucket policies live (IAM keeps them): the S3 layer only carries the documents. */
export interface BucketPolicyStore {
  get(bucket: string): string | undefined;
  put(bucket: string, document: string): Promise<void>;
  delete(bucket: string): Promise<void>;
}

export interface S3Reply {
  status: number;
  headers?: Record<string, string>;
  body?: string | Buffer | Readable;
}

/** XML request bodies are small: bounded so a huge or endless one cannot exhaust memory. */
export const MAX_XML_BODY = 4 * 1024 * 1024;

export async function readXmlBody(ctx: S3Context, limit = MAX_XML_BODY): Promise<Record<string, unknown>> {
  const text = await readBody(ctx, limit);
  if (text.trim() === '') throw new GranaryError('MalformedXML', 'The request body is empty; this operation needs an XML document.');
  return parseXml(text);
}

export async function readBody(ctx: S3Context, limit: number): Promise<string> {
  if (ctx.contentLength !== undefined && ctx.contentLength > limit) throw new GranaryError('EntityTooLarge', `The request body may be at most ${limit} bytes.`);
  const parts: Buffer[] = [];
  let n = 0;
  for await (const c of ctx.body) {
    n += c.length;
    if (n > limit) throw new GranaryError('EntityTooLarge', `The request body may be at most ${limit} bytes.`);
    parts.push(Buffer.from(c));
  }
  return Buffer.concat(parts).toString('utf8');
}

export function requireBucket(ctx: S3Context): string {
  if (ctx.route.bucket === undefined) throw new GranaryError('InvalidRequest', 'This operation needs a bucket.');
  return ctx.route.bucket;
}

export function requireKey(ctx: S3Context): { bucket: string; key: string } {
  const bucket = requireBucket(ctx);
  if (ctx.route.key === undefined) throw new GranaryError('InvalidRequest', 'This operation needs an object key.');
  return { bucket, key: ctx.route.key };
}

export function intParam(q: URLSearchParams, name: string, min: number, max: number): number | undefined {
  const v = q.get(name);
  if (v === null || v === '') return undefined;
  if (!/^-?\d+$/.test(v)) throw new GranaryError('InvalidArgument', `${name} must be an integer.`);
  const n = Number(v);
  if (n < min || n > max) throw new GranaryError('InvalidArgument', `${name} must be between ${min} and ${max}.`);
  return n;
}
