import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  amzDate,
  canonicalHeaders,
  canonicalQuery,
  canonicalRequest,
  canonicalUri,
  hashByteString,
  parseAmzDate,
  parseDateHeader,
  percentDecode,
  sameSignature,
  sha256Hex,
  signingKey,
  uriEncode,
} from '../../../engine/s3/auth/canonical.js';

describe('canonicalUri (S3: as sent, one encoding, no double encoding)', () => {
  it('keeps unreserved characters and slashes, upper-cases escapes, encodes the rest once', () => {
    assert.equal(canonicalUri(''), '/');
    assert.equal(canonicalUri('/'), '/');
    assert.equal(canonicalUri('/b/test.txt'), '/b/test.txt');
    assert.equal(canonicalUri('/b/a-b_c.d~e'), '/b/a-b_c.d~e');
    assert.equal(canonicalUri('/test%24file.text'), '/test%24file.text');
    assert.equal(canonicalUri('/test$file.text'), '/test%24file.text');
    assert.equal(canonicalUri('/a%2fb'), '/a%2Fb', 'lower-case escapes become upper case; %2F stays an escape');
    assert.equal(canonicalUri('/a%7Eb%41'), '/a~bA', 'escaped unreserved characters are decoded');
    assert.equal(canonicalUri('/a%2520b'), '/a%2520b', 'an encoded % stays encoded once');
    assert.equal(canonicalUri('/a b+c'), '/a%20b%2Bc', "'+' in a path is a plus");
    assert.equal(canonicalUri('/ü€'), '/%C3%BC%E2%82%AC');
    assert.equal(canonicalUri('/%C3%BC'), '/%C3%BC');
    assert.equal(canonicalUri('/b//k/./../x/'), '/b//k/./../x/', 'no dot-segment removal, empty segments kept');
  });

  it('keeps malformed escapes as literal percent signs, and any byte sequence intact', () => {
    assert.equal(canonicalUri('/a%'), '/a%25');
    assert.equal(canonicalUri('/a%4'), '/a%254');
    assert.equal(canonicalUri('/a%zz'), '/a%25zz');
    assert.equal(canonicalUri('/%FF%FE'), '/%FF%FE', 'bytes that are not UTF-8 survive');
    assert.notEqual(canonicalUri('/%FF'), canonicalUri('/%EF%BF%BD'));
  });

  it('every spelling of the same bytes gives the same result', () => {
    const key = 'a b/ü+%/~x';
    const enc = uriEncode(key, true);
    assert.equal(enc, 'a%20b/%C3%BC%2B%25/~x');
    const variants = [enc, enc.toLowerCase().replace(/%c3%bc/, '%C3%bc'), 'a%20b/ü%2B%25/%7Ex', 'a%20b/%C3%BC%2b%25/~x'];
    for (const v of variants) assert.equal(canonicalUri(`/b/${v}`), `/b/${enc}`, v);
  });
});

describe('canonicalQuery', () => {
  it('sorts by key then value, encodes once, keeps empty values', () => {
    assert.equal(canonicalQuery(''), '');
    assert.equal(canonicalQuery('lifecycle'), 'lifecycle=');
    assert.equal(canonicalQuery('prefix=J&max-keys=2'), 'max-keys=2&prefix=J');
    assert.equal(canonicalQuery('foo=Zoo&foo=aha'), 'foo=Zoo&foo=aha');
    assert.equal(canonicalQuery('foo=b&foo=a'), 'foo=a&foo=b');
    assert.equal(canonicalQuery('a=&b&c=1'), 'a=&b=&c=1');
    assert.equal(canonicalQuery('a&&b'), 'a=&b=', 'empty pairs are dropped');
    assert.equal(canonicalQuery('B=1&a=2&_=3&~=4'), 'B=1&_=3&a=2&~=4', 'byte order');
  });

  it('decodes then re-encodes: one result per meaning', () => {
    assert.equal(canonicalQuery('prefix=a%2fb'), 'prefix=a%2Fb');
    assert.equal(canonicalQuery('prefix=a/b'), 'prefix=a%2Fb');
    assert.equal(canonicalQuery('prefix=a+b'), 'prefix=a%20b', "'+' in a query is a space");
    assert.equal(canonicalQuery('prefix=a%2Bb'), 'prefix=a%2Bb');
    assert.equal(canonicalQuery('prefix=%E2%82%AC&x=€'), 'prefix=%E2%82%AC&x=%E2%82%AC');
    assert.equal(canonicalQuery('k=a=b'), 'k=a%3Db', 'split at the first =');
    assert.equal(canonicalQuery('%41=%7e'), 'A=~');
    assert.equal(canonicalQuery('k=%'), 'k=%25');
  });

  it('drops the excluded key (X-Amz-Signature) in any spelling', () => {
    assert.equal(canonicalQuery('a=1&X-Amz-Signature=abc&b=2', 'X-Amz-Signature'), 'a=1&b=2');
    assert.equal(canonicalQuery('a=1&X%2DAmz-Signature=abc', 'X-Amz-Signature'), 'a=1');
    assert.equal(canonicalQuery('a=1&x-amz-signature=abc', 'X-Amz-Signature'), 'a=1&x-amz-signature=abc');
  });
});

describe('canonicalHeaders', () => {
  it('lower-case names, trimmed values, whitespace runs collapsed, repeated values joined with commas', () => {
    const h = { Host: 'example.com', 'X-Amz-Meta-A': '  two   words\there  ', 'x-amz-meta-list': ['a', ' b  c '], 'x-amz-meta-empty': '' };
    assert.equal(
      canonicalHeaders(h, ['host', 'x-amz-meta-a', 'x-amz-meta-empty', 'x-amz-meta-list']),
      'host:example.com\nx-amz-meta-a:two words here\nx-amz-meta-empty:\nx-amz-meta-list:a,b c\n',
    );
  });

  it('signs header bytes: latin1 text from Node and the same text in UTF-8 from JS sign alike', () => {
    const utf8 = 'café';
    const asNodeSeesIt = Buffer.from(utf8, 'utf8').toString('latin1');
    const a = canonicalRequest('PUT', '/', '', { 'x-amz-meta-a': asNodeSeesIt }, ['x-amz-meta-a'], 'UNSIGNED-PAYLOAD');
    const b = canonicalRequest('PUT', '/', '', { 'x-amz-meta-a': '☕' }, ['x-amz-meta-a'], 'UNSIGNED-PAYLOAD');
    const c = canonicalRequest('PUT', '/', '', { 'x-amz-meta-a': Buffer.from('☕', 'utf8').toString('latin1') }, ['x-amz-meta-a'], 'UNSIGNED-PAYLOAD');
    assert.equal(hashByteString(b), hashByteString(c));
    assert.equal(hashByteString(a), sha256Hex(Buffer.concat([Buffer.from('PUT\n/\n\nx-amz-meta-a:'), Buffer.from(utf8, 'utf8'), Buffer.from('\n\nx-amz-meta-a\nUNSIGNED-PAYLOAD')])));
  });
});

describe('dates, keys, comparison', () => {
  it('parses x-amz-date strictly and Date headers in both forms', () => {
    assert.equal(parseAmzDate('20130524T000000Z')?.toISOString(), '2013-05-24T00:00:00.000Z');
    for (const bad of ['', '20130524', '20130524T000000', '2013-05-24T00:00:00Z', '20131324T000000Z', '20130230T000000Z', '20130524T250000Z', ' 20130524T000000Z']) assert.equal(parseAmzDate(bad), null, bad);
    assert.equal(parseDateHeader('Fri, 24 May 2013 00:00:00 GMT')?.toISOString(), '2013-05-24T00:00:00.000Z');
    assert.equal(parseDateHeader('20130524T000000Z')?.toISOString(), '2013-05-24T00:00:00.000Z');
    for (const bad of ['Fri, 31 Feb 2013 00:00:00 GMT', 'Fri, 24 Foo 2013 00:00:00 GMT', '24 May 2013', 'yesterday']) assert.equal(parseDateHeader(bad), null, bad);
    assert.equal(amzDate(new Date(Date.UTC(2013, 4, 24, 1, 2, 3, 456))), '20130524T010203Z');
  });

  it('derives the documented signing key and caches it within a bound', () => {
    // AWS general reference example (secret wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY, 20120215, us-east-1, iam).
    assert.equal(signingKey('wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY', '20120215', 'us-east-1', 'iam').toString('hex'), 'f4780e2d9f65fa895f9c67b32ce1baf0b0d8a43505a000a1a9e090d414db404d');
    const k = signingKey('secret', '20200101', 'r', 's3');
    assert.equal(signingKey('secret', '20200101', 'r', 's3'), k, 'cached');
    for (let i = 0; i < 600; i++) signingKey(`s${i}`, '20200101', 'r', 's3');
    assert.ok(signingKey('secret', '20200101', 'r', 's3').equals(k), 'recomputed after eviction, same value');
  });

  it('compares signatures by value only', () => {
    assert.equal(sameSignature('ab', 'ab'), true);
    assert.equal(sameSignature('ab', 'ac'), false);
    assert.equal(sameSignature('ab', 'abc'), false);
    assert.equal(sameSignature('', ''), true);
  });

  it('percentDecode never throws and decodes what it can', () => {
    assert.deepEqual([...percentDecode('%41%4g%')], [0x41, 0x25, 0x34, 0x67, 0x25]);
    assert.deepEqual([...percentDecode('a+b', true)], [0x61, 0x20, 0x62]);
    assert.deepEqual([...percentDecode('a+b')], [0x61, 0x2b, 0x62]);
    assert.equal(percentDecode('😀').toString('utf8'), '😀');
  });
});
