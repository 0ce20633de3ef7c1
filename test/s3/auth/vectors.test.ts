/**
 * Published test vectors, checked against both sides (authenticate and the
 * signer):
 *  - AWS S3 API reference, "Examples: Signature Calculations" for the
 *    Authorization header (GET Object with Range, PUT Object, GET bucket
 *    lifecycle, GET Bucket list objects) and for query-string auth (presigned
 *    GET), credentials AKIAIOSFODNN7EXAMPLE, 20130524, us-east-1, examplebucket;
 *  - "Transferring Payload in Multiple Chunks": seed 4f232c43… and the chunk
 *    signatures of the 64 KiB + 1 KiB upload;
 *  - "Including Trailing Headers": seed 106e2a8a…, chunk signatures and the
 *    x-amz-checksum-crc32c trailer signature d81f82fc…;
 *  - the AWS general SigV4 test suite as botocore ships it (service "host",
 *    2011-09-09, Date header only), for query ordering, UTF-8 path and query,
 *    header sorting and case, and a signed form body (IAM/STS style);
 *  - an STS GetCallerIdentity request with a session token (google-auth's
 *    fixtures).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decodeAwsChunked } from '../../../engine/s3/auth/payload.js';
import { encodeAwsChunked, presignUrl, sign } from '../../../engine/s3/auth/signer.js';
import { authenticate, type AuthRequest, type SignedAuth } from '../../../engine/s3/auth/sigv4.js';
import { sha256Hex } from '../../../engine/s3/auth/canonical.js';
import { DOC_AK, DOC_NOW, DOC_SK, EMPTY, docLookup, drain, pieces, refused } from './helpers.js';

const opts = { region: 'us-east-1' };
const DOC_DATE = new Date(Date.UTC(2013, 4, 24));

function docAuth(sig: string, signed: string): string {
  return `AWS4-HMAC-SHA256 Credential=${DOC_AK}/20130524/us-east-1/s3/aws4_request,SignedHeaders=${signed},Signature=${sig}`;
}

function signedOf(req: AuthRequest): SignedAuth {
  const r = authenticate(req, docLookup, opts);
  assert.equal(r.kind, 'signed');
  return r as SignedAuth;
}

describe('AWS S3 examples: Authorization header', () => {
  const host = 'examplebucket.s3.amazonaws.com';
  const cases: { name: string; method: string; path: string; query: string; headers: Record<string, string>; signed: string; extraSigned: string[]; payload: string; signature: string }[] = [
    {
      name: 'GET Object with Range',
      method: 'GET', path: '/test.txt', query: '',
      headers: { host, range: 'bytes=0-9', 'x-amz-content-sha256': EMPTY, 'x-amz-date': '20130524T000000Z' },
      signed: 'host;range;x-amz-content-sha256;x-amz-date', extraSigned: ['range'], payload: EMPTY,
      signature: 'f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41',
    },
    {
      name: 'PUT Object',
      method: 'PUT', path: '/test%24file.text', query: '',
      headers: { host, date: 'Fri, 24 May 2013 00:00:00 GMT', 'x-amz-date': '20130524T000000Z', 'x-amz-storage-class': 'REDUCED_REDUNDANCY', 'x-amz-content-sha256': sha256Hex('Welcome to Amazon S3.') },
      signed: 'date;host;x-amz-content-sha256;x-amz-date;x-amz-storage-class', extraSigned: ['date'], payload: sha256Hex('Welcome to Amazon S3.'),
      signature: '98ad721746da40c64f1a55b78f14c238d841ea1380cd77a1b5971af0ece108bd',
    },
    {
      name: 'GET bucket lifecycle',
      method: 'GET', path: '/', query: 'lifecycle',
      headers: { host, 'x-amz-date': '20130524T000000Z', 'x-amz-content-sha256': EMPTY },
      signed: 'host;x-amz-content-sha256;x-amz-date', extraSigned: [], payload: EMPTY,
      signature: 'fea454ca298b7da1c68078a5d1bdbfbbe0d65c699e0f91ac7a200a0136783543',
    },
    {
      name: 'GET bucket (list objects)',
      method: 'GET', path: '/', query: 'max-keys=2&prefix=J',
      headers: { host, 'x-amz-date': '20130524T000000Z', 'x-amz-content-sha256': EMPTY },
      signed: 'host;x-amz-content-sha256;x-amz-date', extraSigned: [], payload: EMPTY,
      signature: '34b48302e7b5fa45bde8084f4b7868a86f0a534bc59db6670ed5711ef69dc6f7',
    },
  ];

  for (const c of cases) {
    it(`${c.name}: verifies, and the signer reproduces the signature`, () => {
      const r = signedOf({ method: c.method, rawPath: c.path, rawQuery: c.query, headers: { ...c.headers, authorization: docAuth(c.signature, c.signed) }, now: DOC_NOW });
      assert.equal(r.accessKey, DOC_AK);
      assert.equal(r.scope, '20130524/us-east-1/s3/aws4_request');
      assert.deepEqual(r.payload, { mode: 'sha256', hash: c.payload });
      assert.equal(r.signedHeaders.join(';'), c.signed);
      // Any other signature is refused.
      const other = c.signature.slice(0, -1) + (c.signature.endsWith('0') ? '1' : '0');
      refused(() => authenticate({ method: c.method, rawPath: c.path, rawQuery: c.query, headers: { ...c.headers, authorization: docAuth(other, c.signed) }, now: DOC_NOW }, docLookup, opts), 'SignatureDoesNotMatch');

      const { 'x-amz-date': _d, 'x-amz-content-sha256': _s, ...rest } = c.headers;
      const s = sign({ method: c.method, url: new URL(`https://${host}${c.path}${c.query ? `?${c.query}` : ''}`), headers: rest, payloadHash: c.payload, accessKey: DOC_AK, secretKey: DOC_SK, region: 'us-east-1', service: 's3', date: DOC_DATE, signedHeaders: c.extraSigned });
      assert.equal(s.signature, c.signature);
    });
  }

  it('GET Object: the documented canonical request and string to sign', () => {
    const s = sign({ method: 'GET', url: new URL(`https://${host}/test.txt`), headers: { range: 'bytes=0-9' }, payloadHash: EMPTY, accessKey: DOC_AK, secretKey: DOC_SK, region: 'us-east-1', service: 's3', date: DOC_DATE, signedHeaders: ['range'] });
    assert.equal(s.canonicalRequest, [
      'GET', '/test.txt', '',
      `host:${host}`, 'range:bytes=0-9', `x-amz-content-sha256:${EMPTY}`, 'x-amz-date:20130524T000000Z', '',
      'host;range;x-amz-content-sha256;x-amz-date', EMPTY,
    ].join('\n'));
    assert.equal(s.stringToSign, 'AWS4-HMAC-SHA256\n20130524T000000Z\n20130524/us-east-1/s3/aws4_request\n7344ae5b7ee6c3e7e6b0fe0640412a37625d1fbfff95c48bbb2dc43964946972');
  });
});

describe('AWS S3 example: presigned URL', () => {
  const q = 'X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20130524%2Fus-east-1%2Fs3%2Faws4_request&X-Amz-Date=20130524T000000Z&X-Amz-Expires=86400&X-Amz-SignedHeaders=host&X-Amz-Signature=aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404';
  const host = 'examplebucket.s3.amazonaws.com';

  it('verifies within its 24 hours and is refused after them', () => {
    const r = signedOf({ method: 'GET', rawPath: '/test.txt', rawQuery: q, headers: { host }, now: DOC_NOW });
    assert.equal(r.via, 'presigned');
    assert.deepEqual(r.payload, { mode: 'unsigned' });
    assert.equal(signedOf({ method: 'GET', rawPath: '/test.txt', rawQuery: q, headers: { host }, now: new Date(Date.UTC(2013, 4, 25)) }).kind, 'signed');
    refused(() => authenticate({ method: 'GET', rawPath: '/test.txt', rawQuery: q, headers: { host }, now: new Date(Date.UTC(2013, 4, 25, 0, 0, 1)) }, docLookup, opts), 'AccessDenied');
    refused(() => authenticate({ method: 'PUT', rawPath: '/test.txt', rawQuery: q, headers: { host }, now: DOC_NOW }, docLookup, opts), 'SignatureDoesNotMatch');
  });

  it('the signer produces the same URL', () => {
    const url = presignUrl({ method: 'GET', url: new URL(`https://${host}/test.txt`), accessKey: DOC_AK, secretKey: DOC_SK, region: 'us-east-1', service: 's3', expires: 86400, date: DOC_DATE });
    assert.equal(url.search.slice(1), q);
  });
});

describe('AWS S3 examples: chunked upload', () => {
  const data = Buffer.alloc(66560, 'a');
  const host = 's3.amazonaws.com';

  it('STREAMING-AWS4-HMAC-SHA256-PAYLOAD: seed and chunk signatures', async () => {
    const signedHeaders = 'content-encoding;content-length;host;x-amz-content-sha256;x-amz-date;x-amz-decoded-content-length;x-amz-storage-class';
    const headers = {
      host, 'x-amz-date': '20130524T000000Z', 'x-amz-storage-class': 'REDUCED_REDUNDANCY', 'x-amz-content-sha256': 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD',
      'content-encoding': 'aws-chunked', 'x-amz-decoded-content-length': '66560', 'content-length': '66824',
    };
    const seed = '4f232c4386841ef735655705268965c44a0e4690baa4adea153f7db9fa80a0a9';
    const r = signedOf({ method: 'PUT', rawPath: '/examplebucket/chunkObject.txt', rawQuery: '', headers: { ...headers, authorization: docAuth(seed, signedHeaders) }, now: DOC_NOW });
    assert.deepEqual(r.payload, { mode: 'streaming', signed: true, trailer: false });
    const body = Buffer.concat([
      Buffer.from('10000;chunk-signature=ad80c730a21e5b8d04586a2213dd63b9a0e99e0e2307b0ade35a65485a288648\r\n'), data.subarray(0, 65536), Buffer.from('\r\n'),
      Buffer.from('400;chunk-signature=0055627c9e194cb4542bae2aa5492e3c1575bbb81b612b7d234b86a503ef5497\r\n'), data.subarray(65536), Buffer.from('\r\n'),
      Buffer.from('0;chunk-signature=b6c6ea8a5354eaf15b3cb7646744f4275b71ea724fed81ceb9323e279d449df9\r\n\r\n'),
    ]);
    assert.equal(body.length, 66824);
    const o = { signed: true, trailer: false, seedSignature: r.signature, signingKey: r.signingKey, date: r.date, scope: r.scope, decodedLength: 66560 };
    for (const cuts of [[], [1], [7, 90, 91], [65536 + 86, 65536 + 87, 65536 + 88], Array.from({ length: 70 }, (_, i) => i * 997)]) {
      assert.ok((await drain(decodeAwsChunked(pieces(body, cuts), o))).equals(data), `cuts ${cuts.slice(0, 5)}`);
    }

    // The signer: the same seed and the same body.
    const { 'x-amz-date': _d, 'x-amz-content-sha256': _s, ...rest } = headers;
    const s = sign({ method: 'PUT', url: new URL(`https://${host}/examplebucket/chunkObject.txt`), headers: rest, payloadHash: 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD', accessKey: DOC_AK, secretKey: DOC_SK, region: 'us-east-1', service: 's3', date: DOC_DATE, signedHeaders: ['content-encoding', 'content-length'] });
    assert.equal(s.signature, seed);
    assert.ok(encodeAwsChunked([data.subarray(0, 65536), data.subarray(65536)], { signed: true, seedSignature: s.signature, signingKey: s.signingKey, scope: s.scope, date: s.date }).equals(body));
  });

  it('STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER: seed, chunk and trailer signatures', async () => {
    const signedHeaders = 'content-encoding;host;x-amz-content-sha256;x-amz-date;x-amz-decoded-content-length;x-amz-storage-class;x-amz-trailer';
    const headers = {
      host, 'x-amz-date': '20130524T000000Z', 'x-amz-storage-class': 'REDUCED_REDUNDANCY', 'x-amz-content-sha256': 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER',
      'content-encoding': 'aws-chunked', 'x-amz-decoded-content-length': '66560', 'x-amz-trailer': 'x-amz-checksum-crc32c',
    };
    const seed = '106e2a8a18243abcf37539882f36619c00e2dfc72633413f02d3b74544bfeb8e';
    const r = signedOf({ method: 'PUT', rawPath: '/examplebucket/chunkObject.txt', rawQuery: '', headers: { ...headers, authorization: docAuth(seed, signedHeaders) }, now: DOC_NOW });
    assert.deepEqual(r.payload, { mode: 'streaming', signed: true, trailer: true });
    const body = Buffer.concat([
      Buffer.from('10000;chunk-signature=b474d8862b1487a5145d686f57f013e54db672cee1c953b3010fb58501ef5aa2\r\n'), data.subarray(0, 65536), Buffer.from('\r\n'),
      Buffer.from('400;chunk-signature=1c1344b170168f8e65b41376b44b20fe354e373826ccbbe2c1d40a8cae51e5c7\r\n'), data.subarray(65536), Buffer.from('\r\n'),
      Buffer.from('0;chunk-signature=2ca2aba2005185cf7159c6277faf83795951dd77a3a99e6e65d5c9f85863f992\r\n'),
      Buffer.from('x-amz-checksum-crc32c:sOO8/Q==\r\n'),
      Buffer.from('x-amz-trailer-signature:d81f82fc3505edab99d459891051a732e8730629a2e4a59689829ca17fe2e435\r\n\r\n'),
    ]);
    const seen: string[] = [];
    const o = { signed: true, trailer: true, seedSignature: r.signature, signingKey: r.signingKey, date: r.date, scope: r.scope, decodedLength: 66560, trailerChecksums: (n: string, v: string) => seen.push(`${n}=${v}`) };
    assert.ok((await drain(decodeAwsChunked(pieces(body, [100, 66000, body.length - 20]), o))).equals(data));
    assert.deepEqual(seen, ['x-amz-checksum-crc32c=sOO8/Q==']);

    const { 'x-amz-date': _d, 'x-amz-content-sha256': _s, ...rest } = headers;
    const s = sign({ method: 'PUT', url: new URL(`https://${host}/examplebucket/chunkObject.txt`), headers: rest, payloadHash: 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER', accessKey: DOC_AK, secretKey: DOC_SK, region: 'us-east-1', service: 's3', date: DOC_DATE, signedHeaders: ['content-encoding'] });
    assert.equal(s.signature, seed);
    const encoded = encodeAwsChunked([data.subarray(0, 65536), data.subarray(65536)], { signed: true, seedSignature: s.signature, signingKey: s.signingKey, scope: s.scope, date: s.date, trailers: { 'x-amz-checksum-crc32c': 'sOO8/Q==' } });
    assert.ok(encoded.equals(body));
  });
});

describe('AWS SigV4 general test suite (botocore copy) and an STS request', () => {
  const AK = 'AKIDEXAMPLE';
  const SK = 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY';
  const look = (k: string) => (k === AK ? { accessKey: AK, secretKey: SK } : undefined);
  const now = new Date('2011-09-09T23:36:00Z');
  const cases: { name: string; method: string; path: string; query: string; headers: Record<string, string>; signed: string; sig: string; body?: string }[] = [
    { name: 'get-vanilla', method: 'GET', path: '/', query: '', headers: {}, signed: 'date;host', sig: 'b27ccfbfa7df52a200ff74193ca6e32d4b48b8856fab7ebf1c595d0670a7e470' },
    { name: 'get-utf8', method: 'GET', path: '/%E1%88%B4', query: '', headers: {}, signed: 'date;host', sig: '8d6634c189aa8c75c2e51e106b6b5121bed103fdb351f7d7d4381c738823af74' },
    { name: 'get-vanilla-query-order-key-case', method: 'GET', path: '/', query: 'foo=Zoo&foo=aha', headers: {}, signed: 'date;host', sig: 'be7148d34ebccdc6423b19085378aa0bee970bdc61d144bd1a8c48c33079ab09' },
    { name: 'get-vanilla-query-order-value', method: 'GET', path: '/', query: 'foo=b&foo=a', headers: {}, signed: 'date;host', sig: 'feb926e49e382bec75c9d7dcb2a1b6dc8aa50ca43c25d2bc51143768c0875acc' },
    { name: 'get-vanilla-ut8-query', method: 'GET', path: '/', query: '%E1%88%B4=bar', headers: {}, signed: 'date;host', sig: '6fb359e9a05394cc7074e0feb42573a2601abc0c869a953e8c5c12e4e01f1a8c' },
    { name: 'post-header-key-sort', method: 'POST', path: '/', query: '', headers: { ZOO: 'zoobar' }, signed: 'date;host;zoo', sig: 'b7a95a52518abbca0964a999a880429ab734f35ebbf1235bd79a5de87756dc4a' },
    { name: 'post-header-value-case', method: 'POST', path: '/', query: '', headers: { zoo: 'ZOOBAR' }, signed: 'date;host;zoo', sig: '273313af9d0c265c531e11db70bbd653f3ba074c1009239e8559d3987039cad7' },
    { name: 'get-header-value-trim', method: 'POST', path: '/', query: '', headers: { p: ' phfft ' }, signed: 'date;host;p', sig: 'debf546796015d6f6ded8626f5ce98597c33b47b9164cf6b17b4642036fcb592' },
    { name: 'post-x-www-form-urlencoded', method: 'POST', path: '/', query: '', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, signed: 'content-type;date;host', sig: '5a15b22cf462f047318703b92e6f4f38884e4a7ab7b1d6426ca46a8bd1c26cbc', body: 'foo=bar' },
    { name: 'post-vanilla-query', method: 'POST', path: '/', query: 'foo=bar', headers: {}, signed: 'date;host', sig: 'b6e3b79003ce0743a491606ba1035a804593b0efb1e20a11cba83f8c25a57a92' },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const req: AuthRequest = {
        method: c.method, rawPath: c.path, rawQuery: c.query, now,
        headers: { ...c.headers, Host: 'host.foo.com', Date: 'Mon, 09 Sep 2011 23:36:00 GMT', Authorization: `AWS4-HMAC-SHA256 Credential=${AK}/20110909/us-east-1/host/aws4_request, SignedHeaders=${c.signed}, Signature=${c.sig}` },
        ...(c.body !== undefined ? { bodySha256: sha256Hex(c.body) } : {}),
      };
      const r = authenticate(req, look, { region: 'us-east-1', services: ['host'] });
      assert.equal(r.kind, 'signed');
      // A service not passed in opts.services is refused.
      refused(() => authenticate(req, look, { region: 'us-east-1' }), 'AuthorizationHeaderMalformed');
    });
  }

  it('post-x-www-form-urlencoded: without the body hash it is checked as an empty body, and fails', () => {
    const c = cases.find((x) => x.body !== undefined)!;
    refused(() => authenticate({
      method: c.method, rawPath: c.path, rawQuery: c.query, now,
      headers: { ...c.headers, host: 'host.foo.com', date: 'Mon, 09 Sep 2011 23:36:00 GMT', authorization: `AWS4-HMAC-SHA256 Credential=${AK}/20110909/us-east-1/host/aws4_request, SignedHeaders=${c.signed}, Signature=${c.sig}` },
    }, look, { region: 'us-east-1', services: ['host'] }), 'SignatureDoesNotMatch');
  });

  it('STS GetCallerIdentity with and without a session token', () => {
    const token = 'IQoJb3JpZ2luX2VjEIz//////////wEaCXVzLWVhc3QtMiJGMEQCIH7MHX/Oy/OB8OlLQa9GrqU1B914+iMikqWQW7vPCKlgAiA/Lsv8Jcafn14owfxXn95FURZNKaaphj0ykpmS+Ki+CSq0AwhlEAAaDDA3NzA3MTM5MTk5NiIMx9sAeP1ovlMTMKLjKpEDwuJQg41/QUKx0laTZYjPlQvjwSqS3OB9P1KAXPWSLkliVMMqaHqelvMF/WO/glv3KwuTfQsavRNs3v5pcSEm4SPO3l7mCs7KrQUHwGP0neZhIKxEXy+Ls//1C/Bqt53NL+LSbaGv6RPHaX82laz2qElphg95aVLdYgIFY6JWV5fzyjgnhz0DQmy62/Vi8pNcM2/VnxeCQ8CC8dRDSt52ry2v+nc77vstuI9xV5k8mPtnaPoJDRANh0bjwY5Sdwkbp+mGRUJBAQRlNgHUJusefXQgVKBCiyJY4w3Csd8Bgj9IyDV+Azuy1jQqfFZWgP68LSz5bURyIjlWDQunO82stZ0BgplKKAa/KJHBPCp8Qi6i99uy7qh76FQAqgVTsnDuU6fGpHDcsDSGoCls2HgZjZFPeOj8mmRhFk1Xqvkbjuz8V1cJk54d3gIJvQt8gD2D6yJQZecnuGWd5K2e2HohvCc8Fc9kBl1300nUJPV+k4tr/A5R/0QfEKOZL1/k5lf1g9CREnrM8LVkGxCgdYMxLQow1uTL+QU67AHRRSp5PhhGX4Rek+01vdYSnJCMaPhSEgcLqDlQkhk6MPsyT91QMXcWmyO+cAZwUPwnRamFepuP4K8k2KVXs/LIJHLELwAZ0ekyaS7CptgOqS7uaSTFG3U+vzFZLEnGvWQ7y9IPNQZ+Dffgh4p3vF4J68y9049sI6Sr5d5wbKkcbm8hdCDHZcv4lnqohquPirLiFQ3q7B17V9krMPu3mz1cg4Ekgcrn/E09NTsxAqD8NcZ7C7ECom9r+X3zkDOxaajW6hu3Az8hGlyylDaMiFfRbBJpTIlxp7jfa7CxikNgNtEKLH9iCzvuSg2vhA==';
    const AK2 = 'ASIARD4OQDT6A77FR3CL';
    const SK2 = 'Y8AfSaucF37G4PpvfguKZ3/l7Id4uocLXxX0+VTx';
    const stsOpts = { region: 'us-east-2', services: ['sts'] };
    const req = (withToken: boolean, sig: string, signed: string): AuthRequest => ({
      method: 'POST', rawPath: '/', rawQuery: 'Action=GetCallerIdentity&Version=2011-06-15', now: new Date('2020-08-11T06:55:22Z'),
      headers: { host: 'sts.us-east-2.amazonaws.com', 'x-amz-date': '20200811T065522Z', ...(withToken ? { 'x-amz-security-token': token } : {}), authorization: `AWS4-HMAC-SHA256 Credential=${AK2}/20200811/us-east-2/sts/aws4_request, SignedHeaders=${signed}, Signature=${sig}` },
    });
    const temp = (k: string) => (k === AK2 ? { accessKey: AK2, secretKey: SK2, sessionToken: token } : undefined);
    const permanent = (k: string) => (k === AK2 ? { accessKey: AK2, secretKey: SK2 } : undefined);
    const withToken = req(true, '73452984e4a880ffdc5c392355733ec3f5ba310d5e0609a89244440cadfe7a7a', 'host;x-amz-date;x-amz-security-token');
    const without = req(false, 'd095ba304919cd0d5570ba8a3787884ee78b860f268ed040ba23831d55536d56', 'host;x-amz-date');
    assert.equal(authenticate(withToken, temp, stsOpts).kind, 'signed');
    assert.equal(authenticate(without, permanent, stsOpts).kind, 'signed');
    // Temporary credentials need their token; a token needs temporary credentials.
    refused(() => authenticate(without, temp, stsOpts), 'AccessDenied');
    refused(() => authenticate(withToken, permanent, stsOpts), 'InvalidToken');
    // The signer reproduces both.
    const url = new URL('https://sts.us-east-2.amazonaws.com/?Action=GetCallerIdentity&Version=2011-06-15');
    const date = new Date('2020-08-11T06:55:22Z');
    assert.equal(sign({ method: 'POST', url, headers: {}, payloadHash: EMPTY, accessKey: AK2, secretKey: SK2, region: 'us-east-2', service: 'sts', date, sessionToken: token }).signature, '73452984e4a880ffdc5c392355733ec3f5ba310d5e0609a89244440cadfe7a7a');
    assert.equal(sign({ method: 'POST', url, headers: {}, payloadHash: EMPTY, accessKey: AK2, secretKey: SK2, region: 'us-east-2', service: 'sts', date }).signature, 'd095ba304919cd0d5570ba8a3787884ee78b860f268ed040ba23831d55536d56');
  });
});
