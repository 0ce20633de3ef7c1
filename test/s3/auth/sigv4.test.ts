import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { presignUrl, sign, signRequest } from '../../../engine/s3/auth/signer.js';
import { authenticate, type AuthRequest, type SignedAuth } from '../../../engine/s3/auth/sigv4.js';
import { sha256Hex, uriEncode } from '../../../engine/s3/auth/canonical.js';
import { refused } from './helpers.js';

const creds = { accessKey: 'ROUNDTRIP', secretKey: 'a-secret-of-forty-characters-0123456789' };
const look = (k: string) => (k === creds.accessKey ? creds : undefined);
const opts = { region: 'us-east-1' };
const host = '127.0.0.1:9000';
const NOW = new Date(Date.UTC(2026, 0, 1, 12, 0, 0));

function signed(pathAndQuery: string, extra: Record<string, string> = {}, method = 'PUT', body = 'hello', date = NOW): AuthRequest {
  const url = new URL(`http://${host}${pathAndQuery}`);
  const h = signRequest({ method, url, headers: { host, ...extra }, payloadHash: sha256Hex(body), ...creds, region: 'us-east-1', service: 's3', date });
  return { method, rawPath: url.pathname, rawQuery: url.search.slice(1), headers: h, now: NOW };
}

function presigned(pathAndQuery: string, expires = 60, method = 'GET', date = NOW, headers?: Record<string, string>): AuthRequest {
  const url = presignUrl({ method, url: new URL(`http://${host}${pathAndQuery}`), ...creds, region: 'us-east-1', service: 's3', expires, date, ...(headers ? { headers } : {}) });
  return { method, rawPath: url.pathname, rawQuery: url.search.slice(1), headers: { host, ...headers }, now: NOW };
}

function ok(req: AuthRequest, o: Parameters<typeof authenticate>[2] = opts): SignedAuth {
  const r = authenticate(req, look, o);
  assert.equal(r.kind, 'signed');
  return r as SignedAuth;
}

describe('SigV4 round trips (signer → authenticate)', () => {
  it('keys with reserved and unicode characters, repeated query keys, empty values', () => {
    const key = 'a b/ü+%/~x';
    const paths = [
      `/b/${uriEncode(key, true)}`,
      `/b/${uriEncode(key, true)}?tagging`,
      '/b/key?a=1&a=0&b=&c',
      '/b/key?a=2&a=10&a=1&A=1',
      '/b/%E2%82%AC?prefix=%E2%82%AC&delimiter=%2F&list-type=2',
      '/b/k?prefix=a%20b&marker=a+b',
      '/b/%F0%9F%98%80/emoji?x=%F0%9F%98%80',
      '/b//double//slash/',
      '/b/dots/./../x',
      '/',
    ];
    for (const path of paths) {
      assert.equal(ok(signed(path)).accessKey, 'ROUNDTRIP', path);
      assert.equal(ok(presigned(path)).via, 'presigned', path);
    }
    // WHATWG URL leaves some characters raw in the path (e.g. a stray %): still one meaning for both sides.
    assert.equal(ok(signed('/b/ü x/%/+')).kind, 'signed');
  });

  it('reports what the body must be checked against', () => {
    assert.deepEqual(ok(signed('/b/k')).payload, { mode: 'sha256', hash: sha256Hex('hello') });
    const url = new URL(`http://${host}/b/k`);
    for (const [hash, mode] of [
      ['UNSIGNED-PAYLOAD', { mode: 'unsigned' }],
      ['STREAMING-AWS4-HMAC-SHA256-PAYLOAD', { mode: 'streaming', signed: true, trailer: false }],
      ['STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER', { mode: 'streaming', signed: true, trailer: true }],
      ['STREAMING-UNSIGNED-PAYLOAD-TRAILER', { mode: 'streaming', signed: false, trailer: true }],
      [sha256Hex('x').toUpperCase(), { mode: 'sha256', hash: sha256Hex('x') }],
    ] as const) {
      const s = sign({ method: 'PUT', url, headers: {}, payloadHash: hash, ...creds, region: 'us-east-1', service: 's3', date: NOW });
      const r = ok({ method: 'PUT', rawPath: '/b/k', rawQuery: '', headers: s.headers, now: NOW });
      assert.deepEqual(r.payload, mode, hash);
      assert.equal(r.signature, s.signature);
      assert.ok(r.signingKey.equals(s.signingKey));
      assert.equal(r.scope, s.scope);
      assert.equal(r.date.getTime(), NOW.getTime());
    }
    assert.deepEqual(ok(presigned('/b/k')).payload, { mode: 'unsigned' });
  });

  it('accepts header names in any case, extra whitespace in the Authorization header, and signed header whitespace variants', () => {
    const base = signed('/b/k', { 'x-amz-meta-note': 'two  words', 'content-type': 'text/plain' });
    const upper = Object.fromEntries(Object.entries(base.headers).map(([k, v]) => [k.toUpperCase(), v]));
    ok({ ...base, headers: upper });
    const a = base.headers.authorization as string;
    ok({ ...base, headers: { ...base.headers, authorization: a.replace(/, /g, ',') } });
    ok({ ...base, headers: { ...base.headers, authorization: a.replace(/, /g, ' ,  ').replace(' ', '   ') } });
    ok({ ...base, headers: { ...base.headers, 'x-amz-meta-note': '  two \t words ' } });
    // Unsigned headers that are not x-amz-* may change freely.
    ok({ ...base, headers: { ...base.headers, 'user-agent': 'anything', 'content-length': '5' } });
  });

  it('IAM and STS scopes when the caller serves them', () => {
    const url = new URL(`http://${host}/`);
    const body = 'Action=ListUsers&Version=2010-05-08';
    const s = signRequest({ method: 'POST', url, headers: { 'content-type': 'application/x-www-form-urlencoded' }, payloadHash: sha256Hex(body), ...creds, region: 'us-east-1', service: 'iam', date: NOW });
    const req: AuthRequest = { method: 'POST', rawPath: '/', rawQuery: '', headers: s, now: NOW, bodySha256: sha256Hex(body) };
    assert.equal(ok(req, { region: 'us-east-1', services: ['s3', 'iam', 'sts'] }).service, 'iam');
    refused(() => authenticate(req, look, opts), 'AuthorizationHeaderMalformed', 'iam not served by default');
    refused(() => authenticate({ ...req, bodySha256: sha256Hex('Action=DeleteUser') }, look, { region: 'us-east-1', services: ['iam'] }), 'SignatureDoesNotMatch', 'a different body');
  });

  it('anonymous when there is no authentication at all', () => {
    assert.deepEqual(authenticate({ method: 'GET', rawPath: '/b/k', rawQuery: 'x=1', headers: { host } }, look, opts), { kind: 'anonymous' });
    assert.deepEqual(authenticate({ method: 'GET', rawPath: '/b/k', rawQuery: '', headers: { host, 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD' } }, look, opts), { kind: 'anonymous' });
  });
});

describe('SigV4 refusals', () => {
  it('any change to what was signed', () => {
    const base = signed('/b/k?x=1', { 'x-amz-meta-a': 'v', 'content-type': 'text/plain' });
    const cases: [string, AuthRequest, string][] = [
      ['method', { ...base, method: 'POST' }, 'SignatureDoesNotMatch'],
      ['method case', { ...base, method: 'put' }, 'SignatureDoesNotMatch'],
      ['path', { ...base, rawPath: '/b/j' }, 'SignatureDoesNotMatch'],
      ['path slash', { ...base, rawPath: '/b/k/' }, 'SignatureDoesNotMatch'],
      ['path %2F', { ...base, rawPath: '/b%2Fk' }, 'SignatureDoesNotMatch'],
      ['query value', { ...base, rawQuery: 'x=2' }, 'SignatureDoesNotMatch'],
      ['query added', { ...base, rawQuery: 'x=1&y' }, 'SignatureDoesNotMatch'],
      ['query removed', { ...base, rawQuery: '' }, 'SignatureDoesNotMatch'],
      ['signed header', { ...base, headers: { ...base.headers, 'x-amz-meta-a': 'w' } }, 'SignatureDoesNotMatch'],
      ['signed header removed', { ...base, headers: { ...base.headers, 'content-type': undefined } }, 'SignatureDoesNotMatch'],
      ['host', { ...base, headers: { ...base.headers, host: 'evil.example' } }, 'SignatureDoesNotMatch'],
      ['payload hash', { ...base, headers: { ...base.headers, 'x-amz-content-sha256': sha256Hex('other') } }, 'SignatureDoesNotMatch'],
      ['unsigned x-amz header added', { ...base, headers: { ...base.headers, 'x-amz-meta-b': 'unsigned' } }, 'AccessDenied'],
      ['unsigned x-amz-acl added', { ...base, headers: { ...base.headers, 'X-Amz-Acl': 'public-read' } }, 'AccessDenied'],
    ];
    for (const [what, req, code] of cases) refused(() => authenticate(req, look, opts), code, what);
  });

  it('wrong secret, unknown key, time skew, wrong region or service', () => {
    const base = signed('/b/k');
    refused(() => authenticate(base, (k) => (k === creds.accessKey ? { ...creds, secretKey: 'wrong' } : undefined), opts), 'SignatureDoesNotMatch');
    refused(() => authenticate(base, () => undefined, opts), 'InvalidAccessKeyId');
    ok({ ...base, now: new Date(NOW.getTime() + 15 * 60_000) });
    ok({ ...base, now: new Date(NOW.getTime() - 15 * 60_000) });
    refused(() => authenticate({ ...base, now: new Date(NOW.getTime() + 15 * 60_000 + 1000) }, look, opts), 'RequestTimeTooSkewed');
    refused(() => authenticate({ ...base, now: new Date(NOW.getTime() - 16 * 60_000) }, look, opts), 'RequestTimeTooSkewed');
    refused(() => authenticate({ ...base, now: new Date(NOW.getTime() + 61_000) }, look, { ...opts, maxSkewMs: 60_000 }), 'RequestTimeTooSkewed');
    refused(() => authenticate(base, look, { region: 'eu-west-1' }), 'AuthorizationHeaderMalformed');
  });

  it('x-amz-date and x-amz-content-sha256 problems', () => {
    const base = signed('/b/k');
    const h = base.headers;
    refused(() => authenticate({ ...base, headers: { ...h, 'x-amz-date': undefined } }, look, opts), 'AccessDenied', 'no date at all');
    refused(() => authenticate({ ...base, headers: { ...h, 'x-amz-date': '2026-01-01T12:00:00Z' } }, look, opts), 'AccessDenied', 'extended ISO');
    refused(() => authenticate({ ...base, headers: { ...h, 'x-amz-date': '20260132T120000Z' } }, look, opts), 'AccessDenied', 'Jan 32');
    refused(() => authenticate({ ...base, headers: { ...h, 'x-amz-date': '20260102T120000Z' } }, look, opts), 'AuthorizationHeaderMalformed', 'credential day differs');
    refused(() => authenticate({ ...base, headers: { ...h, 'x-amz-date': '20260101T120001Z' } }, look, opts), 'SignatureDoesNotMatch', 'a second later');
    refused(() => authenticate({ ...base, headers: { ...h, 'x-amz-content-sha256': undefined } }, look, opts), 'InvalidRequest', 'missing x-amz-content-sha256');
    refused(() => authenticate({ ...base, headers: { ...h, 'x-amz-content-sha256': 'abc' } }, look, opts), 'InvalidArgument');
    refused(() => authenticate({ ...base, headers: { ...h, 'x-amz-content-sha256': 'STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD' } }, look, opts), 'InvalidRequest');
  });

  it('a dozen malformed Authorization headers', () => {
    const base = signed('/b/k');
    const a = base.headers.authorization as string;
    const sig = /Signature=([0-9a-f]+)/.exec(a)![1];
    const malformed = [
      'AWS4-HMAC-SHA256',
      'AWS4-HMAC-SHA256 ',
      '',
      'AWS4-HMAC-SHA512 ' + a.slice(17),
      'aws4-hmac-sha256 ' + a.slice(17),
      'Bearer abc',
      a.replace('Credential=', 'Credentials='),
      a.replace('Credential=', 'credential='),
      a.replace(/Signature=[0-9a-f]+/, 'Signature=xyz'),
      a.replace(/Signature=[0-9a-f]+/, `Signature=${sig.toUpperCase()}`),
      a.replace(/Signature=[0-9a-f]+/, `Signature=${sig}0`),
      a.replace(/, Signature=[0-9a-f]+/, ''),
      a.replace(/, SignedHeaders=[^,]+/, ''),
      a.replace(/Credential=[^,]+, /, ''),
      a.replace('/aws4_request', '/aws5_request'),
      a.replace('/s3/', '/ec2/'),
      a.replace(/Credential=[^/]+\/\d{8}/, 'Credential=ROUNDTRIP/2026'),
      a.replace(/Credential=[^/]+\/\d{8}/, 'Credential=ROUNDTRIP/20261301'),
      a.replace(/Credential=[^/]+\//, 'Credential=/'),
      a.replace(/Credential=[^,]+/, 'Credential=ROUNDTRIP/20260101/us-east-1/s3'),
      a.replace(/SignedHeaders=[^,]+/, 'SignedHeaders=x-amz-date'),
      a.replace(/SignedHeaders=[^,]+/, 'SignedHeaders=x-amz-date;host'),
      a.replace(/SignedHeaders=[^,]+/, 'SignedHeaders=Host;x-amz-date'),
      a.replace(/SignedHeaders=[^,]+/, 'SignedHeaders=host;;x-amz-date'),
      a.replace(/SignedHeaders=[^,]+/, 'SignedHeaders=host;host;x-amz-date'),
      a.replace(/SignedHeaders=[^,]+/, 'SignedHeaders='),
      a + ', Extra=1',
      a + ',',
      a.replace(', ', ', , '),
      a + `, Signature=${sig}`,
      a.replace('SignedHeaders=', 'SignedHeaders =').replace(/ =/, ' ='),
      a.replace('Credential=ROUNDTRIP', 'Credential=ROUND TRIP'),
    ];
    for (const bad of malformed) {
      refused(() => authenticate({ ...base, headers: { ...base.headers, authorization: bad } }, look, opts), 'AuthorizationHeaderMalformed', JSON.stringify(bad));
    }
    refused(() => authenticate({ ...base, headers: { ...base.headers, authorization: [a, a] } }, look, opts), 'AuthorizationHeaderMalformed', 'two headers');
    // Signature Version 2 and SigV4a are not supported.
    refused(() => authenticate({ ...base, headers: { ...base.headers, authorization: 'AWS ROUNDTRIP:c2lnbmF0dXJl' } }, look, opts), 'InvalidRequest');
    refused(() => authenticate({ ...base, headers: { ...base.headers, authorization: 'AWS4-ECDSA-P256-SHA256 ' + a.slice(17) } }, look, opts), 'InvalidRequest');
  });

  it('presigned URLs: expiry, limits, malformed parameters, mixing with header auth', () => {
    const p = presigned('/b/k', 60);
    const q = p.rawQuery;
    ok({ ...p, now: new Date(NOW.getTime() + 60_000) });
    refused(() => authenticate({ ...p, now: new Date(NOW.getTime() + 61_000) }, look, opts), 'AccessDenied', 'expired');
    ok({ ...p, now: new Date(NOW.getTime() - 15 * 60_000) });
    refused(() => authenticate({ ...p, now: new Date(NOW.getTime() - 16 * 60_000) }, look, opts), 'RequestTimeTooSkewed', 'dated in the future');
    assert.equal(ok(presigned('/b/k', 604800)).kind, 'signed');
    refused(() => authenticate(presigned('/b/k', 604801), look, opts), 'AuthorizationQueryParametersError', '604801');
    refused(() => authenticate(presigned('/b/k', 0), look, opts), 'AuthorizationQueryParametersError', '0');
    refused(() => authenticate({ ...p, rawQuery: q.replace('X-Amz-Expires=60', 'X-Amz-Expires=600') }, look, opts), 'SignatureDoesNotMatch', 'expires tampered');
    refused(() => authenticate({ ...p, method: 'PUT' }, look, opts), 'SignatureDoesNotMatch', 'method');
    refused(() => authenticate({ ...p, rawPath: '/b/j' }, look, opts), 'SignatureDoesNotMatch', 'path');
    refused(() => authenticate({ ...p, rawQuery: q + '&response-content-type=text/html' }, look, opts), 'SignatureDoesNotMatch', 'query added');
    refused(() => authenticate({ ...p, headers: { host: 'other:1' } }, look, opts), 'SignatureDoesNotMatch', 'host');
    refused(() => authenticate({ ...p, headers: { host, 'x-amz-meta-x': '1' } }, look, opts), 'AccessDenied', 'unsigned x-amz header');
    const malformed: [string, string][] = [
      ['expires not a number', q.replace('X-Amz-Expires=60', 'X-Amz-Expires=1e3')],
      ['expires negative', q.replace('X-Amz-Expires=60', 'X-Amz-Expires=-1')],
      ['second signature', q + '&X-Amz-Signature=00'],
      ['second signature, other case', q + '&x-amz-signature=00'],
      ['short signature', q.replace(/X-Amz-Signature=[0-9a-f]+/, 'X-Amz-Signature=00')],
      ['no signature', q.replace(/&X-Amz-Signature=[0-9a-f]+/, '')],
      ['no credential', q.replace(/X-Amz-Credential=[^&]+&/, '')],
      ['no date', q.replace(/X-Amz-Date=[^&]+&/, '')],
      ['no expires', q.replace(/X-Amz-Expires=[^&]+&/, '')],
      ['no signed headers', q.replace(/X-Amz-SignedHeaders=[^&]+&/, '')],
      ['algorithm', q.replace('AWS4-HMAC-SHA256', 'AWS4-HMAC-SHA1')],
      ['date format', q.replace(/X-Amz-Date=\d{8}T\d{6}Z/, 'X-Amz-Date=2026-01-01')],
      ['date of another day', q.replace(/X-Amz-Date=\d{8}/, 'X-Amz-Date=20260102')],
      ['region', q.replace('us-east-1', 'eu-west-1')],
      ['host not signed', q.replace('X-Amz-SignedHeaders=host', 'X-Amz-SignedHeaders=x-amz-date')],
      ['lower-case parameter names', q.replace('X-Amz-Algorithm', 'x-amz-algorithm')],
    ];
    for (const [what, bad] of malformed) refused(() => authenticate({ ...p, rawQuery: bad }, look, opts), 'AuthorizationQueryParametersError', what);
    // Both mechanisms at once, and V2 presigned URLs.
    const h = signed('/b/k');
    refused(() => authenticate({ ...p, headers: { host, authorization: h.headers.authorization } }, look, opts), 'InvalidRequest', 'both');
    refused(() => authenticate({ ...p, rawQuery: 'AWSAccessKeyId=ROUNDTRIP&Expires=1700000000&Signature=abc' }, look, opts), 'InvalidRequest', 'V2 query');
    refused(() => authenticate({ ...h, rawQuery: 'X-Amz-Algorithm=AWS4-HMAC-SHA256' }, look, opts), 'InvalidRequest', 'header plus a stray query parameter');
  });

  it('presigned URLs that sign extra headers need them', () => {
    const p = presigned('/b/k', 60, 'PUT', NOW, { 'x-amz-acl': 'private', 'content-type': 'text/plain' });
    ok(p);
    refused(() => authenticate({ ...p, headers: { ...p.headers, 'x-amz-acl': 'public-read' } }, look, opts), 'SignatureDoesNotMatch');
    refused(() => authenticate({ ...p, headers: { ...p.headers, 'content-type': 'text/html' } }, look, opts), 'SignatureDoesNotMatch');
  });

  it('temporary credentials need their session token, in headers and presigned URLs', () => {
    const temp = { ...creds, sessionToken: 'token-123' };
    const lookTemp = (k: string) => (k === creds.accessKey ? temp : undefined);
    const url = new URL(`http://${host}/b/k`);
    const h = signRequest({ method: 'GET', url, headers: {}, payloadHash: sha256Hex(''), ...creds, region: 'us-east-1', service: 's3', date: NOW, sessionToken: 'token-123' });
    assert.equal(authenticate({ method: 'GET', rawPath: '/b/k', rawQuery: '', headers: h, now: NOW }, lookTemp, opts).kind, 'signed');
    const wrong = signRequest({ method: 'GET', url, headers: {}, payloadHash: sha256Hex(''), ...creds, region: 'us-east-1', service: 's3', date: NOW, sessionToken: 'token-124' });
    refused(() => authenticate({ method: 'GET', rawPath: '/b/k', rawQuery: '', headers: wrong, now: NOW }, lookTemp, opts), 'InvalidToken');
    const none = signRequest({ method: 'GET', url, headers: {}, payloadHash: sha256Hex(''), ...creds, region: 'us-east-1', service: 's3', date: NOW });
    refused(() => authenticate({ method: 'GET', rawPath: '/b/k', rawQuery: '', headers: none, now: NOW }, lookTemp, opts), 'AccessDenied');
    const pre = presignUrl({ method: 'GET', url, ...creds, region: 'us-east-1', service: 's3', expires: 60, date: NOW, sessionToken: 'token-123' });
    assert.equal(authenticate({ method: 'GET', rawPath: pre.pathname, rawQuery: pre.search.slice(1), headers: { host }, now: NOW }, lookTemp, opts).kind, 'signed');
    refused(() => authenticate({ method: 'GET', rawPath: pre.pathname, rawQuery: pre.search.slice(1), headers: { host }, now: NOW }, look, opts), 'InvalidToken');
  });
});
