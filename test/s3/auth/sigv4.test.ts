import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { GranaryError } from '../../../engine/common/errors.js';
import { decodeAwsChunked, verifySha256 } from '../../../engine/s3/auth/payload.js';
import { encodeAwsChunked, presignUrl, signRequest } from '../../../engine/s3/auth/signer.js';
import { authenticate, type AuthRequest } from '../../../engine/s3/auth/sigv4.js';
import { sha256Hex } from '../../../engine/s3/auth/canonical.js';

// The examples of AWS's "Signature Calculations for the Authorization Header" and streaming pages for S3.
const AK = 'AKIAIOSFODNN7EXAMPLE';
const SK = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
const lookup = (k: string) => (k === AK ? { accessKey: AK, secretKey: SK } : undefined);
const NOW = new Date(Date.UTC(2013, 4, 24, 0, 0, 30));
const opts = { region: 'us-east-1' };
const EMPTY = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';

function auth(sig: string, signed: string): string {
  return `AWS4-HMAC-SHA256 Credential=${AK}/20130524/us-east-1/s3/aws4_request,SignedHeaders=${signed},Signature=${sig}`;
}

function req(method: string, path: string, query: string, headers: Record<string, string>): AuthRequest {
  return { method, rawPath: path, rawQuery: query, headers, now: NOW };
}

function refused(fn: () => unknown, code: string) {
  assert.throws(fn, (e: unknown) => e instanceof GranaryError && e.code === code, code);
}

async function drain(it: AsyncIterable<Uint8Array>): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const c of it) parts.push(Buffer.from(c));
  return Buffer.concat(parts);
}

async function* once(b: Buffer, cut?: number): AsyncGenerator<Uint8Array> {
  if (cut === undefined) yield b;
  else {
    yield b.subarray(0, cut);
    yield b.subarray(cut);
  }
}

describe('SigV4: AWS published examples', () => {
  it('GET object with Range', () => {
    const r = authenticate(req('GET', '/test.txt', '', {
      host: 'examplebucket.s3.amazonaws.com', range: 'bytes=0-9', 'x-amz-content-sha256': EMPTY, 'x-amz-date': '20130524T000000Z',
      authorization: auth('f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41', 'host;range;x-amz-content-sha256;x-amz-date'),
    }), lookup, opts);
    assert.equal(r.kind, 'signed');
  });

  it('PUT object', () => {
    const r = authenticate(req('PUT', '/test%24file.text', '', {
      host: 'examplebucket.s3.amazonaws.com', date: 'Fri, 24 May 2013 00:00:00 GMT', 'x-amz-date': '20130524T000000Z', 'x-amz-storage-class': 'REDUCED_REDUNDANCY',
      'x-amz-content-sha256': '44ce7dd67c959e0d3524ffac1771dfbba87d2b6b4b4e99e42034a8b803f8b072',
      authorization: auth('98ad721746da40c64f1a55b78f14c238d841ea1380cd77a1b5971af0ece108bd', 'date;host;x-amz-content-sha256;x-amz-date;x-amz-storage-class'),
    }), lookup, opts);
    assert.equal(r.kind === 'signed' && r.payload.mode, 'sha256');
  });

  it('GET bucket lifecycle and list objects (query strings)', () => {
    authenticate(req('GET', '/', 'lifecycle', {
      host: 'examplebucket.s3.amazonaws.com', 'x-amz-date': '20130524T000000Z', 'x-amz-content-sha256': EMPTY,
      authorization: auth('fea454ca298b7da1c68078a5d1bdbfbbe0d65c699e0f91ac7a200a0136783543', 'host;x-amz-content-sha256;x-amz-date'),
    }), lookup, opts);
    authenticate(req('GET', '/', 'max-keys=2&prefix=J', {
      host: 'examplebucket.s3.amazonaws.com', 'x-amz-date': '20130524T000000Z', 'x-amz-content-sha256': EMPTY,
      authorization: auth('34b48302e7b5fa45bde8084f4b7868a86f0a534bc59db6670ed5711ef69dc6f7', 'host;x-amz-content-sha256;x-amz-date'),
    }), lookup, opts);
  });

  it('presigned GET', () => {
    const q = 'X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20130524%2Fus-east-1%2Fs3%2Faws4_request&X-Amz-Date=20130524T000000Z&X-Amz-Expires=86400&X-Amz-SignedHeaders=host&X-Amz-Signature=aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404';
    const r = authenticate(req('GET', '/test.txt', q, { host: 'examplebucket.s3.amazonaws.com' }), lookup, opts);
    assert.equal(r.kind === 'signed' && r.via, 'presigned');
    refused(() => authenticate({ ...req('GET', '/test.txt', q, { host: 'examplebucket.s3.amazonaws.com' }), now: new Date(Date.UTC(2013, 4, 25, 0, 0, 1)) }, lookup, opts), 'AccessDenied');
  });

  it('streaming upload with chunk signatures', async () => {
    const headers = {
      host: 's3.amazonaws.com', 'x-amz-date': '20130524T000000Z', 'x-amz-storage-class': 'REDUCED_REDUNDANCY',
      'x-amz-content-sha256': 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD', 'content-encoding': 'aws-chunked', 'x-amz-decoded-content-length': '66560', 'content-length': '66824',
      authorization: auth('4f232c4386841ef735655705268965c44a0e4690baa4adea153f7db9fa80a0a9', 'content-encoding;content-length;host;x-amz-content-sha256;x-amz-date;x-amz-decoded-content-length;x-amz-storage-class'),
    };
    const r = authenticate(req('PUT', '/examplebucket/chunkObject.txt', '', headers), lookup, opts);
    assert.ok(r.kind === 'signed' && r.payload.mode === 'streaming');
    const a = Buffer.alloc(65536, 'a');
    const b = Buffer.alloc(1024, 'a');
    const body = Buffer.concat([
      Buffer.from('10000;chunk-signature=ad80c730a21e5b8d04586a2213dd63b9a0e99e0e2307b0ade35a65485a288648\r\n'), a, Buffer.from('\r\n'),
      Buffer.from('400;chunk-signature=0055627c9e194cb4542bae2aa5492e3c1575bbb81b612b7d234b86a503ef5497\r\n'), b, Buffer.from('\r\n'),
      Buffer.from('0;chunk-signature=b6c6ea8a5354eaf15b3cb7646744f4275b71ea724fed81ceb9323e279d449df9\r\n\r\n'),
    ]);
    assert.equal(body.length, 66824);
    const o = { signed: true, trailer: false, seedSignature: r.signature, signingKey: r.signingKey, date: r.date, scope: r.scope, decodedLength: 66560 };
    assert.ok((await drain(decodeAwsChunked(once(body, 7), o))).equals(Buffer.concat([a, b])));
    // A changed byte in the data, a dropped chunk, or any truncation is refused.
    const flipped = Buffer.from(body);
    flipped[200] ^= 1;
    await assert.rejects(drain(decodeAwsChunked(once(flipped), o)), { code: 'SignatureDoesNotMatch' });
    for (let cut = 0; cut < body.length; cut += 997) {
      await assert.rejects(drain(decodeAwsChunked(once(body.subarray(0, cut)), o)), (e: unknown) => e instanceof GranaryError && ['IncompleteBody', 'InvalidRequest', 'SignatureDoesNotMatch'].includes(e.code), `cut at ${cut}`);
    }
  });
});

describe('SigV4: round trips and refusals', () => {
  const creds = { accessKey: 'ROUNDTRIP', secretKey: 'a-secret-of-forty-characters-0123456789' };
  const look = (k: string) => (k === creds.accessKey ? creds : undefined);
  const host = '127.0.0.1:9000';

  function signed(path: string, extra: Record<string, string> = {}, method = 'PUT', body = 'hello') {
    const url = new URL(`http://${host}${path}`);
    const h = signRequest({ method, url, headers: { host, ...extra }, payloadHash: sha256Hex(body), ...creds, region: 'us-east-1', service: 's3' });
    return { method, rawPath: url.pathname, rawQuery: url.search.slice(1), headers: h } as AuthRequest;
  }

  it('keys with reserved and unicode characters, repeated and empty query values', () => {
    for (const path of ['/b/a%20b/%C3%BC%2B%25/~x', '/b/key?a=1&a=0&b=&c', '/b/%E2%82%AC?prefix=%E2%82%AC&delimiter=%2F']) {
      assert.equal(authenticate(signed(path), look, opts).kind, 'signed', path);
    }
    const url = presignUrl({ method: 'GET', url: new URL(`http://${host}/b/ü x`), ...creds, region: 'us-east-1', service: 's3', expires: 60 });
    assert.equal(authenticate({ method: 'GET', rawPath: url.pathname, rawQuery: url.search.slice(1), headers: { host } }, look, opts).kind, 'signed');
  });

  it('refuses every change to what was signed', () => {
    const base = signed('/b/k?x=1', { 'x-amz-meta-a': 'v' });
    refused(() => authenticate({ ...base, method: 'POST' }, look, opts), 'SignatureDoesNotMatch');
    refused(() => authenticate({ ...base, rawPath: '/b/j' }, look, opts), 'SignatureDoesNotMatch');
    refused(() => authenticate({ ...base, rawQuery: 'x=2' }, look, opts), 'SignatureDoesNotMatch');
    refused(() => authenticate({ ...base, headers: { ...base.headers, 'x-amz-meta-a': 'w' } }, look, opts), 'SignatureDoesNotMatch');
    refused(() => authenticate({ ...base, headers: { ...base.headers, 'x-amz-meta-b': 'unsigned' } }, look, opts), 'AccessDenied');
    refused(() => authenticate(base, (k) => (k === creds.accessKey ? { ...creds, secretKey: 'wrong' } : undefined), opts), 'SignatureDoesNotMatch');
    refused(() => authenticate(base, () => undefined, opts), 'InvalidAccessKeyId');
    refused(() => authenticate({ ...base, now: new Date(Date.now() + 16 * 60_000) }, look, opts), 'RequestTimeTooSkewed');
    refused(() => authenticate(base, look, { region: 'eu-west-1' }), 'AuthorizationHeaderMalformed');
  });

  it('refuses malformed Authorization headers and presigned queries', () => {
    const base = signed('/b/k');
    const a = base.headers.authorization as string;
    for (const bad of [
      'AWS4-HMAC-SHA256', 'AWS4-HMAC-SHA512 ' + a.slice(17), a.replace('Credential=', 'Credentials='), a.replace(/Signature=[0-9a-f]+/, 'Signature=xyz'),
      a.replace('/aws4_request', '/aws5_request'), a.replace(/SignedHeaders=[^,]+/, 'SignedHeaders=x-amz-date'), a + ', Extra=1',
      a.replace(/Credential=[^/]+\/\d{8}/, 'Credential=ROUNDTRIP/2013'), a.replace('SignedHeaders=', 'SignedHeaders=zz;'),
    ]) {
      assert.throws(() => authenticate({ ...base, headers: { ...base.headers, authorization: bad } }, look, opts), (e: unknown) => e instanceof GranaryError && e.status >= 400 && e.status < 500, bad);
    }
    refused(() => authenticate({ ...base, headers: { ...base.headers, authorization: 'AWS ROUNDTRIP:c2lnbmF0dXJl' } }, look, opts), 'InvalidRequest');
    const url = presignUrl({ method: 'GET', url: new URL(`http://${host}/b/k`), ...creds, region: 'us-east-1', service: 's3', expires: 60 });
    refused(() => authenticate({ method: 'GET', rawPath: '/b/k', rawQuery: url.search.slice(1).replace('X-Amz-Expires=60', 'X-Amz-Expires=604801'), headers: { host } }, look, opts), 'AuthorizationQueryParametersError');
    refused(() => authenticate({ method: 'GET', rawPath: '/b/k', rawQuery: url.search.slice(1) + '&X-Amz-Signature=00', headers: { host } }, look, opts), 'AuthorizationQueryParametersError');
    refused(() => authenticate({ method: 'GET', rawPath: '/b/k', rawQuery: url.search.slice(1), headers: { host, authorization: a } }, look, opts), 'InvalidRequest');
  });

  it('verifies signed payloads and unsigned trailers', async () => {
    await assert.rejects(drain(verifySha256(once(Buffer.from('hello!')), sha256Hex('hello'))), { code: 'XAmzContentSHA256Mismatch' });
    assert.equal((await drain(verifySha256(once(Buffer.from('hello')), sha256Hex('hello')))).toString(), 'hello');
    const body = encodeAwsChunked([Buffer.from('abc'), Buffer.from('defg')], { signed: false, trailers: { 'x-amz-checksum-crc32': 'AAAAAA==' } });
    const seen: string[] = [];
    const o = { signed: false, trailer: true, seedSignature: '', signingKey: Buffer.alloc(32), date: new Date(), scope: '', decodedLength: 7, trailerChecksums: (n: string, v: string) => seen.push(`${n}=${v}`) };
    for (let cut = 0; cut <= body.length; cut++) assert.equal((await drain(decodeAwsChunked(once(body, cut), o))).toString(), 'abcdefg');
    assert.deepEqual(seen[0], 'x-amz-checksum-crc32=AAAAAA==');
    await assert.rejects(drain(decodeAwsChunked(once(body), { ...o, decodedLength: 8 })), { code: 'IncompleteBody' });
    await assert.rejects(drain(decodeAwsChunked(once(Buffer.from('ffffffff\r\n')), o)), { code: 'InvalidRequest' });
    await assert.rejects(drain(decodeAwsChunked(once(Buffer.from('1'.repeat(5000))), o)), { code: 'InvalidRequest' });
  });
});
