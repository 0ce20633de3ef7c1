import type { IncomingMessage } from 'node:http';
import type { AuthResult } from './auth/sigv4.js';
import type { Route } from './router.js';

/**
 * The condition keys a request carries, lower-cased as the policy evaluator
 * expects. Identity keys (aws:username …) are added by the authorizer.
 */
export function requestConditions(raw: IncomingMessage, auth: AuthResult | { kind: 'post' }, route: Route, now = new Date()): Record<string, string[]> {
  const c: Record<string, string[]> = {};
  const address = (raw.socket.remoteAddress ?? '').replace(/^::ffff:/, '');
  if (address) c['aws:sourceip'] = [address];
  c['aws:securetransport'] = [String('encrypted' in raw.socket && Boolean((raw.socket as { encrypted?: boolean }).encrypted))];
  c['aws:currenttime'] = [now.toISOString()];
  c['aws:epochtime'] = [String(Math.floor(now.getTime() / 1000))];
  const ua = raw.headers['user-agent'];
  if (ua) c['aws:useragent'] = [ua];
  const referer = raw.headers.referer;
  if (referer) c['aws:referer'] = [referer];
  if (auth.kind === 'signed') {
    c['s3:signatureversion'] = ['AWS4-HMAC-SHA256'];
    c['s3:authtype'] = [auth.via === 'presigned' ? 'REST-QUERY-STRING' : 'REST-HEADER'];
  } else if (auth.kind === 'post') {
    c['s3:signatureversion'] = ['AWS4-HMAC-SHA256'];
    c['s3:authtype'] = ['POST'];
  }
  for (const [name, value] of Object.entries(raw.headers)) {
    if (!name.startsWith('x-amz-') || value === undefined || name === 'x-amz-security-token') continue;
    c[`s3:${name}`] = Array.isArray(value) ? value : [value];
  }
  if (route.endpoint === 'ListObjects' || route.endpoint === 'ListObjectsV2') {
    // As MinIO: s3:prefix is always present, empty when the client lists from the top.
    c['s3:prefix'] = [route.query.get('prefix') ?? ''];
    const delimiter = route.query.get('delimiter');
    if (delimiter !== null) c['s3:delimiter'] = [delimiter];
    const maxKeys = route.query.get('max-keys');
    if (maxKeys !== null) c['s3:max-keys'] = [maxKeys];
  }
  const tagging = raw.headers['x-amz-tagging'];
  if (typeof tagging === 'string' && tagging !== '') {
    const tags = new URLSearchParams(tagging);
    const keys: string[] = [];
    for (const [k, v] of tags) {
      c[`s3:requestobjecttag/${k}`] = [v];
      keys.push(k);
    }
    c['s3:requestobjecttagkeys'] = keys;
  }
  return c;
}

export function existingTagConditions(tags: Record<string, string>): Record<string, string[]> {
  const c: Record<string, string[]> = {};
  for (const [k, v] of Object.entries(tags)) c[`s3:existingobjecttag/${k}`] = [v];
  return c;
}
