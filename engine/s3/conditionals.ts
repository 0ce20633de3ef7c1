import type { IncomingHttpHeaders } from 'node:http';
import { GranaryError } from '../common/errors.js';
import { normalizeEtag } from '../object/etag.js';

type Header = (name: string) => string | undefined;

/**
 * RFC 9110 preconditions as S3 applies them to GET, HEAD and copy sources:
 * If-Match beats If-Unmodified-Since, If-None-Match beats If-Modified-Since.
 * Throws PreconditionFailed (412) or NotModified (304).
 */
export function checkPreconditions(get: Header, etag: string, lastModified: Date, prefix = ''): void {
  const ifMatch = get(`${prefix}if-match`);
  const ifNoneMatch = get(`${prefix}if-none-match`);
  const ifModifiedSince = date(get(`${prefix}if-modified-since`));
  const ifUnmodifiedSince = date(get(`${prefix}if-unmodified-since`));
  const seconds = Math.floor(lastModified.getTime() / 1000) * 1000;

  if (ifMatch !== undefined) {
    if (!etagMatches(ifMatch, etag)) throw new GranaryError('PreconditionFailed');
  } else if (ifUnmodifiedSince !== undefined && seconds > ifUnmodifiedSince) {
    throw new GranaryError('PreconditionFailed');
  }
  // For copy sources S3 answers 412 where a GET would answer 304.
  const notModified = prefix ? 'PreconditionFailed' : 'NotModified';
  if (ifNoneMatch !== undefined) {
    if (etagMatches(ifNoneMatch, etag)) throw new GranaryError(notModified);
  } else if (ifModifiedSince !== undefined && seconds <= ifModifiedSince) {
    throw new GranaryError(notModified);
  }
}

export function etagMatches(list: string, etag: string): boolean {
  return list.split(',').some((e) => e.trim() === '*' || normalizeEtag(e) === etag);
}

function date(v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  const t = Date.parse(v);
  return Number.isNaN(t) ? undefined : t;
}

export function headerGetter(headers: IncomingHttpHeaders): Header {
  return (name) => {
    const v = headers[name];
    return Array.isArray(v) ? v.join(',') : v;
  };
}
