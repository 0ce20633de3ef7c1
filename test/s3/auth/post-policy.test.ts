import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { GranaryError } from '../../../engine/common/errors.js';
import { amzDate, hmacHex, signingKey } from '../../../engine/s3/auth/canonical.js';
import { checkPolicyConditions, verifyPostPolicy } from '../../../engine/s3/auth/post-policy.js';
import { refused } from './helpers.js';

const creds = { accessKey: 'FORMKEY', secretKey: 'form-secret-0123456789' };
const look = (k: string) => (k === creds.accessKey ? creds : undefined);
const NOW = new Date(Date.UTC(2026, 0, 1, 12, 0, 0));
const opts = { region: 'us-east-1', now: NOW };

function form(conditions: unknown[], extra: Record<string, string> = {}, o: { expiration?: string; secret?: string; policy?: string } = {}): Record<string, string> {
  const stamp = amzDate(NOW);
  const credential = `${creds.accessKey}/${stamp.slice(0, 8)}/us-east-1/s3/aws4_request`;
  const policy = o.policy ?? Buffer.from(JSON.stringify({ expiration: o.expiration ?? '2026-01-01T13:00:00.000Z', conditions })).toString('base64');
  return {
    key: 'uploads/photo.jpg',
    'Content-Type': 'image/jpeg',
    'X-Amz-Algorithm': 'AWS4-HMAC-SHA256',
    'x-amz-credential': credential,
    'x-amz-date': stamp,
    Policy: policy,
    ...extra,
    'x-amz-signature': hmacHex(signingKey(o.secret ?? creds.secretKey, stamp.slice(0, 8), 'us-east-1', 's3'), policy),
  };
}

const standard = [
  { bucket: 'photos' },
  ['starts-with', '$key', 'uploads/'],
  ['starts-with', '$Content-Type', 'image/'],
  ['content-length-range', 1, 1000],
  { 'x-amz-algorithm': 'AWS4-HMAC-SHA256' },
  ['starts-with', '$x-amz-credential', 'FORMKEY/'],
  ['eq', '$x-amz-date', amzDate(NOW)],
];

describe('POST policy: signature and expiration', () => {
  it('accepts a correctly signed form, given as a record or a map, with field names in any case', () => {
    const f = form(standard);
    const r = verifyPostPolicy(f, look, opts);
    assert.equal(r.accessKey, 'FORMKEY');
    assert.deepEqual(r.conditions.lengthRange, { min: 1, max: 1000 });
    assert.equal(r.conditions.conditions.length, 7);
    assert.equal(r.policy, r.conditions);
    checkPolicyConditions(r.conditions, f, { bucket: 'photos', contentLength: 10 });
    const asMap = new Map(Object.entries(f).map(([k, v]) => [k.toLowerCase(), v]));
    checkPolicyConditions(verifyPostPolicy(asMap, look, opts).policy, asMap, 'photos');
  });

  it('refuses bad signatures, keys, scopes, dates and expired policies', () => {
    const f = form(standard);
    refused(() => verifyPostPolicy(form(standard, {}, { secret: 'nope' }), look, opts), 'SignatureDoesNotMatch', 'wrong secret');
    refused(() => verifyPostPolicy({ ...f, 'x-amz-signature': f['x-amz-signature'].replace(/^./, (c) => (c === 'a' ? 'b' : 'a')) }, look, opts), 'SignatureDoesNotMatch', 'changed signature');
    refused(() => verifyPostPolicy({ ...f, Policy: Buffer.from(JSON.stringify({ expiration: '2030-01-01T00:00:00Z', conditions: [] })).toString('base64') }, look, opts), 'SignatureDoesNotMatch', 'swapped policy');
    refused(() => verifyPostPolicy(f, () => undefined, opts), 'InvalidAccessKeyId');
    refused(() => verifyPostPolicy(f, look, { ...opts, region: 'eu-west-1' }), 'AuthorizationQueryParametersError', 'region');
    refused(() => verifyPostPolicy({ ...f, 'x-amz-credential': 'FORMKEY/20260101/us-east-1/ec2/aws4_request' }, look, opts), 'AuthorizationQueryParametersError', 'service');
    refused(() => verifyPostPolicy({ ...f, 'x-amz-credential': 'FORMKEY/2026/us-east-1/s3/aws4_request' }, look, opts), 'AuthorizationQueryParametersError', 'day');
    refused(() => verifyPostPolicy({ ...f, 'x-amz-date': '20260102T000000Z' }, look, opts), 'AuthorizationQueryParametersError', 'date of another day');
    refused(() => verifyPostPolicy({ ...f, 'x-amz-date': 'yesterday' }, look, opts), 'AuthorizationQueryParametersError', 'date format');
    const { 'X-Amz-Algorithm': _a, ...noAlgorithm } = f;
    refused(() => verifyPostPolicy(noAlgorithm, look, opts), 'InvalidRequest', 'no algorithm');
    refused(() => verifyPostPolicy({ ...f, 'X-Amz-Algorithm': 'AWS4-HMAC-SHA1' }, look, opts), 'InvalidRequest', 'algorithm');
    refused(() => verifyPostPolicy({ key: 'k', AWSAccessKeyId: 'FORMKEY', signature: 'abc', policy: 'e30=' }, look, opts), 'InvalidRequest', 'V2');
    const { Policy: _p, ...noPolicy } = f;
    refused(() => verifyPostPolicy(noPolicy, look, opts), 'InvalidRequest', 'no policy');
    refused(() => verifyPostPolicy({ ...f, policy: f.Policy }, look, opts), 'MalformedPOSTRequest', 'the same field twice');
    refused(() => verifyPostPolicy(form(standard, {}, { expiration: '2026-01-01T11:59:59.000Z' }), look, opts), 'AccessDenied', 'expired');
    assert.match(String(catchErr(() => verifyPostPolicy(form(standard, {}, { expiration: '2026-01-01T11:59:59Z' }), look, opts))?.message), /Invalid according to Policy: Policy expired/);
  });

  it('refuses policies that are not valid documents', () => {
    const b64 = (s: string) => Buffer.from(s).toString('base64');
    for (const [what, policy] of [
      ['not base64', '!!!'],
      ['not JSON', b64('{nope')],
      ['an array', b64('[]')],
      ['no expiration', b64('{"conditions":[]}')],
      ['a bad expiration', b64('{"expiration":"tomorrow","conditions":[]}')],
      ['no conditions', b64('{"expiration":"2030-01-01T00:00:00Z"}')],
      ['an unknown operator', b64('{"expiration":"2030-01-01T00:00:00Z","conditions":[["contains","$key","x"]]}')],
      ['a field without $', b64('{"expiration":"2030-01-01T00:00:00Z","conditions":[["eq","key","x"]]}')],
      ['a bad range', b64('{"expiration":"2030-01-01T00:00:00Z","conditions":[["content-length-range",10,1]]}')],
      ['a negative range', b64('{"expiration":"2030-01-01T00:00:00Z","conditions":[["content-length-range",-1,1]]}')],
      ['a two-field object', b64('{"expiration":"2030-01-01T00:00:00Z","conditions":[{"a":"1","b":"2"}]}')],
      ['a null condition', b64('{"expiration":"2030-01-01T00:00:00Z","conditions":[null]}')],
    ]) {
      refused(() => verifyPostPolicy(form([], {}, { policy }), look, opts), 'MalformedPOSTRequest', what);
    }
  });
});

function catchErr(fn: () => unknown): GranaryError | undefined {
  try {
    fn();
  } catch (e) {
    if (e instanceof GranaryError) return e;
    throw e;
  }
  return undefined;
}

describe('POST policy: conditions', () => {
  const check = (conditions: unknown[], extra: Record<string, string>, target: { bucket: string; key?: string; contentLength?: number }) => {
    const f = form(conditions, extra);
    checkPolicyConditions(verifyPostPolicy(f, look, opts).conditions, f, target);
  };

  it('eq, starts-with, exact-match objects and content-length-range hold', () => {
    check(standard, {}, { bucket: 'photos', contentLength: 1 });
    check(standard, {}, { bucket: 'photos', contentLength: 1000 });
    check([...standard, ['starts-with', '$x-amz-meta-tag', '']], { 'x-amz-meta-tag': 'anything' }, { bucket: 'photos' });
    check([...standard, ['eq', '$success_action_status', 201]], { success_action_status: '201' }, { bucket: 'photos' });
    check(standard, { 'x-ignore-me': 'x', 'X-Ignore-Too': 'y', file: 'ignored' }, { bucket: 'photos' });
    check(standard.map((c) => (Array.isArray(c) && c[1] === '$Content-Type' ? ['starts-with', '$content-type', 'image/'] : c)), { 'Content-Type': 'image/png, image/jpeg' }, { bucket: 'photos' });
  });

  it('each failed condition is named', () => {
    const cases: [string, unknown[], Record<string, string>, { bucket: string; key?: string; contentLength?: number }, string, RegExp][] = [
      ['bucket', standard, {}, { bucket: 'other' }, 'AccessDenied', /Policy Condition failed: \["eq","\$bucket","photos"\]/],
      ['key prefix', standard, {}, { bucket: 'photos', key: 'elsewhere/x' }, 'AccessDenied', /\["starts-with","\$key","uploads\/"\]/],
      ['key field', standard, { key: 'elsewhere/x' }, { bucket: 'photos' }, 'AccessDenied', /\["starts-with","\$key","uploads\/"\]/],
      ['content type', standard, { 'Content-Type': 'text/html' }, { bucket: 'photos' }, 'AccessDenied', /\$content-type/],
      ['content type list', standard, { 'Content-Type': 'image/png,text/html' }, { bucket: 'photos' }, 'AccessDenied', /\$content-type/],
      ['eq', [...standard, ['eq', '$acl', 'private']], { acl: 'public-read' }, { bucket: 'photos' }, 'AccessDenied', /\["eq","\$acl","private"\]/],
      ['eq on a missing field', [...standard, ['eq', '$acl', 'private']], {}, { bucket: 'photos' }, 'AccessDenied', /\$acl/],
      ['object condition', [...standard, { acl: 'private' }], { acl: 'public-read' }, { bucket: 'photos' }, 'AccessDenied', /\["eq","\$acl","private"\]/],
      ['extra field', standard, { 'x-amz-meta-sneaky': '1' }, { bucket: 'photos' }, 'AccessDenied', /Extra input fields: x-amz-meta-sneaky/],
      ['too large', standard, {}, { bucket: 'photos', contentLength: 1001 }, 'EntityTooLarge', /\["content-length-range",1,1000\]/],
      ['too small', standard, {}, { bucket: 'photos', contentLength: 0 }, 'EntityTooSmall', /\["content-length-range",1,1000\]/],
    ];
    for (const [what, conditions, extra, target, code, message] of cases) {
      const e = catchErr(() => check(conditions, extra, target));
      assert.ok(e, what);
      assert.equal(e.code, code, `${what}: ${e.message}`);
      assert.match(e.message, message, what);
      if (code === 'AccessDenied') assert.match(e.message, /^Invalid according to Policy: /, what);
    }
  });

  it('the signing fields themselves must be covered', () => {
    const withoutDate = standard.filter((c) => !(Array.isArray(c) && c[1] === '$x-amz-date'));
    assert.match(catchErr(() => check(withoutDate, {}, { bucket: 'photos' }))!.message, /Extra input fields: x-amz-date/);
  });
});
