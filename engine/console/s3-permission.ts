import type { FastifyRequest } from 'fastify';
import { existingTagConditions } from '../s3/request-conditions.js';
import { noteDecision } from '../s3/request-notes.js';
import type { ConsoleContext, ConsoleSession, ConsoleStorage } from './console-context.js';
import { sourceAddress } from './console-context.js';
import { ConsoleError } from './console-error.js';

export interface S3Question {
  /** `s3:PutObject` … the action S3 would ask about for the same operation. */
  action: string;
  bucket?: string;
  key?: string;
  /** s3:prefix, s3:delimiter, s3:max-keys of a listing. */
  listing?: { prefix: string; delimiter?: string; maxKeys?: number };
}

/**
 * Decides a console call as the S3 port would decide the same operation by
 * the same identity: the one Authorizer, the session's identity, the
 * request's condition keys (source address, TLS, time, user agent, listing
 * parameters, the object's existing tags when a policy reads them). A
 * refusal is AccessDenied naming what was refused; the decision is noted for
 * the audit log as S3's are.
 */
export async function requireS3Permission(ctx: ConsoleContext, storage: ConsoleStorage, session: ConsoleSession, request: FastifyRequest, q: S3Question): Promise<void> {
  const { authorizer } = ctx.deps;
  const identity = session.identity;
  let tags: Record<string, string[]> = {};
  if (q.bucket !== undefined && q.key !== undefined && authorizer.needsExistingTags(identity, q.bucket)) {
    tags = existingTagConditions(await storage.layer.getObjectTagging(q.bucket, q.key).catch(() => ({})));
  }
  const d = await authorizer.authorize(identity, {
    action: q.action,
    ...(q.bucket !== undefined ? { bucket: q.bucket } : {}),
    ...(q.key !== undefined ? { key: q.key } : {}),
    conditions: () => ({ ...requestConditions(request, q), ...tags }),
  });
  noteDecision(request.raw, { action: d.action, resource: d.resource, allowed: d.allowed, reason: d.reason, ...(d.decidedBy ? { policy: d.decidedBy.policy, statement: d.decidedBy.statement, ...(d.decidedBy.sid !== undefined ? { sid: d.decidedBy.sid } : {}) } : {}) });
  if (!d.allowed) {
    const what = q.bucket === undefined ? 'all buckets' : q.key === undefined ? `bucket ${q.bucket}` : `${q.bucket}/${q.key}`;
    throw new ConsoleError('AccessDenied', `Access Denied: your account may not ${q.action} on ${what}.`);
  }
}

/** The condition keys the S3 port derives from a request, for the console's equivalent one. */
function requestConditions(request: FastifyRequest, q: S3Question, now = new Date()): Record<string, string[]> {
  const c: Record<string, string[]> = {};
  const address = sourceAddress(request);
  if (address) c['aws:sourceip'] = [address];
  c['aws:securetransport'] = [String(request.protocol === 'https')];
  c['aws:currenttime'] = [now.toISOString()];
  c['aws:epochtime'] = [String(Math.floor(now.getTime() / 1000))];
  const ua = request.headers['user-agent'];
  if (ua) c['aws:useragent'] = [ua];
  const referer = request.headers.referer;
  if (referer) c['aws:referer'] = [referer];
  if (q.listing) {
    c['s3:prefix'] = [q.listing.prefix];
    if (q.listing.delimiter !== undefined) c['s3:delimiter'] = [q.listing.delimiter];
    if (q.listing.maxKeys !== undefined) c['s3:max-keys'] = [String(q.listing.maxKeys)];
  }
  return c;
}
