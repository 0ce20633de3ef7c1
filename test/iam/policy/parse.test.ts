import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MAX_POLICY_BYTES, parsePolicy, PolicyError, type ParseOptions } from '../../../engine/iam/policy/parse.js';
import type { PolicyKind } from '../../../engine/iam/policy/policy.js';

const V = '2012-10-17';

/** A policy with one statement, built from an allow-all that the case then changes. */
function doc(statement: Record<string, unknown>, top: Record<string, unknown> = {}): Record<string, unknown> {
  return { Version: V, Statement: [statement], ...top };
}

const ok = { Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::b/*' };
const okBucket = { ...ok, Principal: '*' };

function withCondition(condition: unknown): Record<string, unknown> {
  return doc({ ...ok, Condition: condition });
}

interface Refusal {
  name: string;
  input: unknown;
  kind?: PolicyKind;
  opts?: ParseOptions;
  /** Every one must appear in the message, verbatim. */
  says: string[];
}

const cyclic: Record<string, unknown> = { Version: V };
cyclic.Statement = cyclic;

const REFUSALS: Refusal[] = [
  // the document
  { name: 'truncated JSON', input: '{"Version": "2012-10-17",', says: ['malformed JSON', 'line 1 column 26'] },
  { name: 'JSON error on a later line', input: '{\n  "Version": "2012-10-17",\n  "Statement": [\n    {"Effect": "Allow",,}\n  ]\n}', says: ['malformed JSON', 'line 4'] },
  { name: 'trailing garbage', input: `${JSON.stringify(doc(ok))} x`, says: ['malformed JSON', 'after the end of the document'] },
  { name: 'single quotes', input: "{'Version': '2012-10-17'}", says: ['malformed JSON', 'expected a "quoted" key'] },
  { name: 'trailing comma', input: '{"Version": "2012-10-17", "Statement": [],}', says: ['malformed JSON', 'expected a "quoted" key'] },
  { name: 'an empty document', input: '', says: ['malformed JSON', 'empty'] },
  { name: 'NaN is not JSON', input: '{"Version": NaN}', says: ['malformed JSON', 'expected a value'] },
  { name: 'a raw control character in a string', input: '{"Version": "2012-10-17\n"}', says: ['malformed JSON', 'control character'] },
  { name: 'duplicate keys in a statement', input: '{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Effect":"Allow","Action":"s3:*","Resource":"*"}]}', says: ['duplicate key "Effect"'] },
  { name: 'duplicate top-level keys', input: '{"Version":"2012-10-17","Version":"2008-10-17","Statement":[]}', says: ['duplicate key "Version"'] },
  { name: 'deep nesting', input: `${'['.repeat(100)}${']'.repeat(100)}`, says: ['malformed JSON', 'nested more than 64 levels'] },
  { name: 'an array at the top', input: '[]', says: ['the policy must be a JSON object'] },
  { name: 'a string at the top', input: '"policy"', says: ['the policy must be a JSON object'] },
  { name: 'an unknown top-level field', input: { Version: V, Statements: [ok] }, says: ['unknown top-level field "Statements"', 'did you mean "Statement"'] },
  { name: 'a __proto__ field is just an unknown field', input: '{"Version":"2012-10-17","Statement":[],"__proto__":{"x":1}}', says: ['unknown top-level field "__proto__"'] },
  { name: 'no Version', input: { Statement: [ok] }, says: ['Version is required'] },
  { name: 'a wrong Version', input: { Version: '2012-10-18', Statement: [ok] }, says: ['Version must be "2012-10-17"', '"2012-10-18"'] },
  { name: 'a numeric Version', input: { Version: 2012, Statement: [ok] }, says: ['Version must be', '2012'] },
  { name: 'a non-string Id', input: doc(ok, { Id: 5 }), says: ['Id must be a string'] },
  { name: 'no Statement', input: { Version: V }, says: ['Statement is required'] },
  { name: 'an empty Statement list', input: { Version: V, Statement: [] }, says: ['Statement is empty'] },
  { name: 'a string Statement', input: { Version: V, Statement: 'allow' }, says: ['Statement must be a JSON object'] },
  { name: 'a non-object statement in the list', input: { Version: V, Statement: [ok, 7] }, says: ['Statement[1] must be a JSON object'] },
  { name: 'too large', input: JSON.stringify(doc({ ...ok, Sid: 'x'.repeat(MAX_POLICY_BYTES) })), says: ['the limit is 20480 (20 KiB)'] },
  { name: 'too large in UTF-8 bytes though not in characters', input: JSON.stringify(doc({ ...ok, Sid: 'é'.repeat(MAX_POLICY_BYTES / 2) })), says: ['bytes; the limit is 20480'] },
  { name: 'a cyclic object', input: cyclic, says: ['the policy is not JSON'] },
  { name: 'a BigInt inside', input: { Version: V, Statement: [{ ...ok, Sid: 1n }] }, says: ['the policy is not JSON'] },
  { name: 'undefined', input: undefined, says: ['the policy is not JSON', 'undefined'] },
  { name: 'a function', input: () => 1, says: ['the policy is not JSON', 'function'] },
  { name: 'an unknown kind', input: doc(ok), kind: 'group' as PolicyKind, says: ['unknown policy kind "group"'] },
  // statements
  { name: 'an unknown statement field', input: doc({ ...ok, Actions: 's3:GetObject' }), says: ['Statement[0]: unknown field "Actions"', 'did you mean "Action"'] },
  { name: 'a field in the wrong case', input: doc({ ...ok, effect: 'Allow' }), says: ['unknown field "effect"', 'did you mean "Effect"'] },
  { name: 'a lower-case Effect value', input: doc({ ...ok, Effect: 'allow' }), says: ['Statement[0].Effect must be "Allow" or "Deny"', '"allow"'] },
  { name: 'a missing Effect', input: doc({ Action: 's3:GetObject', Resource: '*' }), says: ['Statement[0].Effect', 'missing'] },
  { name: 'a numeric Sid', input: doc({ ...ok, Sid: 3 }), says: ['Statement[0].Sid must be a string'] },
  { name: 'both Action and NotAction', input: doc({ ...ok, NotAction: 's3:PutObject' }), says: ['Statement[0] has both Action and NotAction'] },
  { name: 'neither Action nor NotAction', input: doc({ Effect: 'Allow', Resource: '*' }), says: ['Statement[0] needs Action or NotAction'] },
  { name: 'an empty Action list', input: doc({ ...ok, Action: [] }), says: ['Statement[0].Action is empty'] },
  { name: 'a non-string action', input: doc({ ...ok, Action: ['s3:GetObject', 5] }), says: ['Statement[0].Action[1] must be a string', '5'] },
  { name: 'an object Action', input: doc({ ...ok, Action: { s3: 'GetObject' } }), says: ['Statement[0].Action must be a string or an array of strings'] },
  { name: 'an unknown action', input: doc({ ...ok, Action: ['s3:GetObject', 's3:GetObjekt'] }), says: ['Statement[0].Action', 'unknown action "s3:GetObjekt"'] },
  { name: 'an unknown NotAction', input: doc({ Effect: 'Deny', NotAction: 's3:Nope', Resource: '*' }), says: ['Statement[0].NotAction', 'unknown action "s3:Nope"'] },
  { name: 's3:HeadBucket, with what to write instead', input: doc({ ...ok, Action: 's3:HeadBucket' }), says: ['unknown action "s3:HeadBucket"', 's3:ListBucket'] },
  { name: 'an unknown admin action', input: doc({ Effect: 'Allow', Action: 'admin:RotateEverything' }), says: ['unknown action "admin:RotateEverything"'] },
  { name: 'a pattern matching no action', input: doc({ ...ok, Action: 's3:Frob*' }), says: ['"s3:Frob*" matches no known action'] },
  { name: 'another service', input: doc({ ...ok, Action: 'ec2:*' }), says: ['"ec2:*" matches no known action'] },
  { name: 'an empty action name', input: doc({ ...ok, Action: '' }), says: ['unknown action ""'] },
  // resources
  { name: 'no Resource for S3 actions', input: doc({ Effect: 'Allow', Action: 's3:GetObject' }), says: ['Statement[0] needs Resource or NotResource', 'admin: or sts:'] },
  { name: 'no Resource for mixed admin and S3 actions', input: doc({ Effect: 'Allow', Action: ['admin:ServerInfo', 's3:ListBucket'] }), says: ['Statement[0] needs Resource or NotResource'] },
  { name: 'no Resource with NotAction', input: doc({ Effect: 'Allow', NotAction: 'admin:CreateUser' }), says: ['Statement[0] needs Resource or NotResource'] },
  { name: 'both Resource and NotResource', input: doc({ ...ok, NotResource: '*' }), says: ['Statement[0] has both Resource and NotResource'] },
  { name: 'an empty Resource list', input: doc({ ...ok, Resource: [] }), says: ['Statement[0].Resource is empty'] },
  { name: 'a resource that is not an S3 ARN', input: doc({ ...ok, Resource: 'arn:aws:ec2:::instance/i-1' }), says: ['Statement[0].Resource', '"arn:aws:ec2:::instance/i-1" is not an S3 resource'] },
  { name: 'a bucket name instead of an ARN', input: doc({ ...ok, Resource: 'mybucket/*' }), says: ['"mybucket/*" is not an S3 resource'] },
  { name: 'an ARN with too few colons', input: doc({ ...ok, Resource: 'arn:aws:s3::b/*' }), says: ['"arn:aws:s3::b/*" is not an S3 resource'] },
  { name: 'an empty S3 ARN', input: doc({ ...ok, Resource: 'arn:aws:s3:::' }), says: ['"arn:aws:s3:::" is not an S3 resource'] },
  { name: 'an unterminated variable', input: doc({ ...ok, Resource: 'arn:aws:s3:::b/${aws:username' }), says: ['Statement[0].Resource', 'unterminated policy variable'] },
  { name: 'an unknown variable', input: doc({ ...ok, Resource: 'arn:aws:s3:::b/${aws:bogus}/*' }), says: ['unknown policy variable ${aws:bogus}'] },
  { name: 'an empty variable', input: doc({ ...ok, Resource: 'arn:aws:s3:::b/${}' }), says: ['empty policy variable'] },
  // principals
  { name: 'Principal in an identity policy', input: doc(okBucket), says: ['Statement[0]: Principal is not allowed in an identity policy'] },
  { name: 'NotPrincipal in an identity policy', input: doc({ ...ok, NotPrincipal: '*' }), says: ['NotPrincipal is not allowed in an identity policy'] },
  { name: 'a bucket policy without Principal', input: doc(ok), kind: 'resource', opts: { bucket: 'b' }, says: ['Statement[0] needs Principal or NotPrincipal'] },
  { name: 'Principal and NotPrincipal', input: doc({ ...okBucket, NotPrincipal: '*' }), kind: 'resource', opts: { bucket: 'b' }, says: ['has both Principal and NotPrincipal'] },
  { name: 'a Service principal', input: doc({ ...ok, Principal: { Service: 'lambda.amazonaws.com' } }), kind: 'resource', opts: { bucket: 'b' }, says: ['Statement[0].Principal', 'unsupported principal type "Service"'] },
  { name: 'an account root principal', input: doc({ ...ok, Principal: { AWS: 'arn:aws:iam::123456789012:root' } }), kind: 'resource', opts: { bucket: 'b' }, says: ['unsupported principal "arn:aws:iam::123456789012:root"'] },
  { name: 'a wildcard in a principal ARN', input: doc({ ...ok, Principal: { AWS: 'arn:aws:iam:::user/*' } }), kind: 'resource', opts: { bucket: 'b' }, says: ['unsupported principal "arn:aws:iam:::user/*"'] },
  { name: 'a bare user name as principal', input: doc({ ...ok, Principal: 'alice' }), kind: 'resource', opts: { bucket: 'b' }, says: ['Statement[0].Principal must be "*" or an object'] },
  { name: 'an empty principal object', input: doc({ ...ok, Principal: {} }), kind: 'resource', opts: { bucket: 'b' }, says: ['Statement[0].Principal is empty'] },
  { name: 'an empty AWS principal list', input: doc({ ...ok, Principal: { AWS: [] } }), kind: 'resource', opts: { bucket: 'b' }, says: ['Statement[0].Principal.AWS is empty'] },
  // bucket policies
  { name: 'a bucket policy without its bucket', input: doc(okBucket), kind: 'resource', says: ['must be parsed for a bucket'] },
  { name: 'a resource in another bucket', input: doc({ ...okBucket, Resource: 'arn:aws:s3:::other/*' }), kind: 'resource', opts: { bucket: 'b' }, says: ['"arn:aws:s3:::other/*" is outside the bucket "b"'] },
  { name: 'a bucket-name prefix of another bucket', input: doc({ ...okBucket, Resource: 'arn:aws:s3:::bb/*' }), kind: 'resource', opts: { bucket: 'b' }, says: ['"arn:aws:s3:::bb/*" is outside the bucket "b"'] },
  { name: 'a wildcard in the bucket part', input: doc({ ...okBucket, Resource: 'arn:aws:s3:::b*' }), kind: 'resource', opts: { bucket: 'b' }, says: ['"arn:aws:s3:::b*" is outside the bucket "b"'] },
  { name: 'a wildcard resource in a bucket policy', input: doc({ ...okBucket, Resource: '*' }), kind: 'resource', opts: { bucket: 'b' }, says: ['"*" is outside the bucket "b"'] },
  { name: 'a variable as the bucket', input: doc({ ...okBucket, Resource: 'arn:aws:s3:::${aws:username}/*' }), kind: 'resource', opts: { bucket: 'b' }, says: ['is outside the bucket "b"'] },
  { name: 'a NotResource outside the bucket', input: doc({ Effect: 'Deny', Principal: '*', Action: 's3:*', NotResource: 'arn:aws:s3:::other' }), kind: 'resource', opts: { bucket: 'b' }, says: ['Statement[0].NotResource', 'outside the bucket "b"'] },
  { name: 'one bad resource among good ones', input: doc({ ...okBucket, Resource: ['arn:aws:s3:::b', 'arn:aws:s3:::c/*'] }), kind: 'resource', opts: { bucket: 'b' }, says: ['"arn:aws:s3:::c/*" is outside the bucket "b"'] },
  // conditions
  { name: 'a non-object Condition', input: withCondition(['StringEquals']), says: ['Statement[0].Condition must be a JSON object'] },
  { name: 'an unknown operator', input: withCondition({ StringEqual: { 's3:prefix': 'a' } }), says: ['Statement[0].Condition: unknown condition operator "StringEqual"'] },
  { name: 'an unknown set qualifier', input: withCondition({ 'ForSomeValues:StringEquals': { 's3:prefix': 'a' } }), says: ['unknown condition operator "ForSomeValues:StringEquals"'] },
  { name: 'two set qualifiers', input: withCondition({ 'ForAnyValue:ForAllValues:StringEquals': { 's3:prefix': 'a' } }), says: ['unknown condition operator "ForAnyValue:ForAllValues:StringEquals"'] },
  { name: 'IfExists alone', input: withCondition({ IfExists: { 's3:prefix': 'a' } }), says: ['unknown condition operator "IfExists"'] },
  { name: 'an operator in the wrong case', input: withCondition({ stringequals: { 's3:prefix': 'a' } }), says: ['unknown condition operator "stringequals"'] },
  { name: 'NullIfExists', input: withCondition({ NullIfExists: { 's3:prefix': 'true' } }), says: ['"NullIfExists"', 'Null has no IfExists form'] },
  { name: 'an operator with no keys', input: withCondition({ StringEquals: {} }), says: ['Statement[0].Condition.StringEquals names no condition key'] },
  { name: 'an operator with a non-object body', input: withCondition({ StringEquals: 's3:prefix' }), says: ['Statement[0].Condition.StringEquals must be a JSON object'] },
  { name: 'an unknown condition key', input: withCondition({ StringEquals: { 's3:prefx': 'a' } }), says: ['unknown condition key "s3:prefx"'] },
  { name: 'an unknown global key', input: withCondition({ Bool: { 'aws:ViaMagic': 'true' } }), says: ['unknown condition key "aws:ViaMagic"'] },
  { name: 'a tag key too long', input: withCondition({ StringEquals: { [`s3:ExistingObjectTag/${'k'.repeat(129)}`]: 'v' } }), says: ['unknown condition key "s3:ExistingObjectTag/kkk'] },
  { name: 'an empty tag key', input: withCondition({ StringEquals: { 's3:RequestObjectTag/': 'v' } }), says: ['unknown condition key "s3:RequestObjectTag/"'] },
  { name: 'the same key twice in different case', input: withCondition({ StringEquals: { 's3:prefix': 'a', 'S3:Prefix': 'b' } }), says: ['"S3:Prefix" appears twice'] },
  { name: 'IpAddress on a non-address key', input: withCondition({ IpAddress: { 's3:prefix': '10.0.0.0/8' } }), says: ['IpAddress tests IP addresses', '"s3:prefix"'] },
  { name: 'a prefix length over 32', input: withCondition({ IpAddress: { 'aws:SourceIp': '10.0.0.0/33' } }), says: ['Condition.IpAddress."aws:SourceIp"', '"10.0.0.0/33" is not an IP address or CIDR block'] },
  { name: 'an octet over 255', input: withCondition({ IpAddress: { 'aws:SourceIp': ['10.0.0.0/8', '300.1.1.1'] } }), says: ['"300.1.1.1" is not an IP address'] },
  { name: 'an empty prefix length', input: withCondition({ NotIpAddress: { 'aws:SourceIp': '10.0.0.1/' } }), says: ['"10.0.0.1/" is not an IP address'] },
  { name: 'a bad IPv6 address', input: withCondition({ IpAddress: { 'aws:SourceIp': '2001:db8:::1/64' } }), says: ['"2001:db8:::1/64" is not an IP address'] },
  { name: 'an IPv6 prefix over 128', input: withCondition({ IpAddress: { 'aws:SourceIp': '2001:db8::/129' } }), says: ['"2001:db8::/129"'] },
  { name: 'a leading-zero octet', input: withCondition({ IpAddress: { 'aws:SourceIp': '010.0.0.1' } }), says: ['"010.0.0.1" is not an IP address'] },
  { name: 'a month 13', input: withCondition({ DateLessThan: { 'aws:CurrentTime': '2024-13-01T00:00:00Z' } }), says: ['"2024-13-01T00:00:00Z" is not a date'] },
  { name: 'February 30th', input: withCondition({ DateGreaterThan: { 'aws:CurrentTime': '2024-02-30' } }), says: ['"2024-02-30" is not a date'] },
  { name: 'a date in words', input: withCondition({ DateEquals: { 'aws:CurrentTime': 'yesterday' } }), says: ['"yesterday" is not a date'] },
  { name: 'a fractional epoch', input: withCondition({ DateEquals: { 'aws:EpochTime': 1.5 } }), says: ['1.5 is not a date'] },
  { name: 'a word for a number', input: withCondition({ NumericLessThan: { 's3:max-keys': 'ten' } }), says: ['Condition.NumericLessThan."s3:max-keys"', '"ten" is not a number'] },
  { name: 'an empty number', input: withCondition({ NumericEquals: { 's3:max-keys': '' } }), says: ['"" is not a number'] },
  { name: 'a variable in a numeric condition', input: withCondition({ NumericEquals: { 's3:max-keys': '${aws:username}' } }), says: ['"${aws:username}" is not a number'] },
  { name: 'a Bool that is not true or false', input: withCondition({ Bool: { 'aws:SecureTransport': 'yes' } }), says: ['"yes" is not true or false'] },
  { name: 'a Null that is not true or false', input: withCondition({ Null: { 's3:prefix': 1 } }), says: ['1 is not true or false'] },
  { name: 'BinaryEquals with non-base64', input: withCondition({ BinaryEquals: { 's3:x-amz-content-sha256': 'not base64!' } }), says: ['"not base64!" is not base64'] },
  { name: 'ArnLike with a non-ARN', input: withCondition({ ArnLike: { 'aws:PrincipalArn': 'alice' } }), says: ['"alice" is not an ARN'] },
  { name: 'ArnEquals with five parts', input: withCondition({ ArnEquals: { 'aws:PrincipalArn': 'arn:aws:iam:*:user/alice' } }), says: ['"arn:aws:iam:*:user/alice" is not an ARN'] },
  { name: 'a null condition value', input: withCondition({ StringEquals: { 's3:prefix': null } }), says: ['values must be strings, numbers or booleans, not null'] },
  { name: 'a nested array condition value', input: withCondition({ StringEquals: { 's3:prefix': [['a']] } }), says: ['values must be strings, numbers or booleans'] },
  { name: 'an object condition value', input: withCondition({ StringEquals: { 's3:prefix': { a: 1 } } }), says: ['values must be strings, numbers or booleans'] },
  { name: 'an empty value list', input: withCondition({ StringEquals: { 's3:prefix': [] } }), says: ['Condition.StringEquals."s3:prefix" lists no values'] },
  { name: 'an unknown variable in a condition value', input: withCondition({ StringLike: { 's3:prefix': 'home/${aws:nope}/*' } }), says: ['unknown policy variable ${aws:nope}'] },
  { name: 'an unterminated variable in a condition value', input: withCondition({ StringEquals: { 's3:prefix': '${aws:username' } }), says: ['unterminated policy variable'] },
  { name: 'the second statement is named', input: { Version: V, Statement: [ok, { ...ok, Action: 's3:Bad' }] }, says: ['Statement[1].Action', 'unknown action "s3:Bad"'] },
];

describe('parsePolicy refuses', () => {
  for (const r of REFUSALS) {
    it(r.name, () => {
      let caught: unknown;
      try {
        parsePolicy(r.input, r.kind ?? 'identity', r.opts);
      } catch (err) {
        caught = err;
      }
      assert.ok(caught instanceof PolicyError, `expected a PolicyError, got ${String(caught)}`);
      assert.equal(caught.name, 'PolicyError');
      for (const s of r.says) assert.ok(caught.message.includes(s), `${JSON.stringify(caught.message)} should include ${JSON.stringify(s)}`);
    });
  }
});

describe('parsePolicy accepts', () => {
  it('a minimal policy, as text or as an object, to the same result', () => {
    const a = parsePolicy(JSON.stringify(doc(ok)), 'identity');
    const b = parsePolicy(doc(ok), 'identity');
    assert.deepEqual(a, b);
    assert.equal(a.name, '(inline)');
    assert.equal(a.kind, 'identity');
    assert.equal(a.version, V);
    assert.equal(a.statements.length, 1);
    assert.deepEqual(a.source, doc(ok));
  });

  it('a single statement object, Sid and Id', () => {
    const p = parsePolicy({ Version: V, Id: 'mine', Statement: { ...ok, Sid: 'One' } }, 'identity', { name: 'n' });
    assert.equal(p.id, 'mine');
    assert.equal(p.name, 'n');
    assert.equal(p.statements[0].sid, 'One');
  });

  it('Version 2008-10-17, where ${…} is text', () => {
    const p = parsePolicy({ Version: '2008-10-17', Statement: { ...ok, Resource: 'arn:aws:s3:::b/${anything' } }, 'identity');
    assert.equal(p.version, '2008-10-17');
  });

  it('admin and sts statements without Resource', () => {
    const p = parsePolicy(doc({ Effect: 'Allow', Action: ['admin:*', 'sts:AssumeRole'] }), 'identity');
    assert.equal(p.statements[0].resource, 'any');
    const q = parsePolicy(doc({ Effect: 'Allow', Action: 'ADMIN:ServerInfo' }), 'identity');
    assert.equal(q.statements[0].resource, 'any');
  });

  it('action wildcards that cover a known action', () => {
    for (const a of ['*', 's3:*', 'admin:*', 'sts:*', 's3:Get*', 's3:*Tagging', 's3:?etObject', '*:GetObject', 'S3:get*']) {
      assert.doesNotThrow(() => parsePolicy(doc({ ...ok, Action: a }), 'identity'), a);
    }
  });

  it('MinIO S3 actions', () => {
    assert.doesNotThrow(() => parsePolicy(doc({ ...ok, Action: ['s3:ListenBucketNotification', 's3:ForceDeleteBucket'] }), 'identity'));
  });

  it('a policy of exactly 20 KiB, and not one byte more', () => {
    const base = JSON.stringify(doc(ok));
    const exact = base.slice(0, -1) + ' '.repeat(MAX_POLICY_BYTES - base.length) + '}';
    assert.equal(Buffer.byteLength(exact), MAX_POLICY_BYTES);
    assert.doesNotThrow(() => parsePolicy(exact, 'identity'));
    assert.throws(() => parsePolicy(`${exact} `, 'identity'), PolicyError);
  });

  it('a byte-order mark', () => {
    assert.doesNotThrow(() => parsePolicy(`\uFEFF${JSON.stringify(doc(ok))}`, 'identity'));
  });

  it('condition keys in any case, kept canonical; tag keys keep their case', () => {
    const p = parsePolicy(withCondition({ StringEquals: { 'S3:Prefix': 'a', 'S3:ExistingObjectTag/Project': 'x', 'JWT:Groups': 'g' } }), 'identity');
    assert.deepEqual(p.statements[0].conditions.map((c) => c.key), ['s3:prefix', 's3:existingobjecttag/Project', 'jwt:groups']);
  });

  it('condition values as strings, numbers, booleans and lists of them', () => {
    assert.doesNotThrow(() => parsePolicy(withCondition({
      NumericLessThan: { 's3:max-keys': 10 },
      Bool: { 'aws:SecureTransport': true },
      DateLessThan: { 'aws:EpochTime': 1893456000, 'aws:CurrentTime': ['2030-01-01', '2030-01-01T00:00:00.123+05:30'] },
      StringEquals: { 's3:x-amz-acl': ['private', 'bucket-owner-full-control'] },
      IpAddress: { 'aws:SourceIp': ['192.0.2.0/24', '2001:db8::/32', '::ffff:10.0.0.0/104', '203.0.113.9'] },
      'ForAnyValue:StringLikeIfExists': { 'aws:groups': 'adm*' },
      Null: { 's3:x-amz-server-side-encryption': 'false' },
      BinaryEquals: { 's3:x-amz-content-sha256': 'aGVsbG8=' },
      ArnLike: { 'aws:PrincipalArn': 'arn:aws:iam::*:user/${aws:username}' },
    }), 'identity'));
  });

  it('every documented operator, with IfExists and set qualifiers', () => {
    const ops: [string, string, unknown][] = [
      ['StringEquals', 's3:prefix', 'a'], ['StringNotEquals', 's3:prefix', 'a'], ['StringEqualsIgnoreCase', 's3:prefix', 'a'],
      ['StringNotEqualsIgnoreCase', 's3:prefix', 'a'], ['StringLike', 's3:prefix', 'a*'], ['StringNotLike', 's3:prefix', 'a*'],
      ['NumericEquals', 's3:max-keys', 1], ['NumericNotEquals', 's3:max-keys', 1], ['NumericLessThan', 's3:max-keys', 1],
      ['NumericLessThanEquals', 's3:max-keys', 1], ['NumericGreaterThan', 's3:max-keys', 1], ['NumericGreaterThanEquals', 's3:max-keys', 1],
      ['DateEquals', 'aws:CurrentTime', '2024-01-01'], ['DateNotEquals', 'aws:CurrentTime', '2024-01-01'], ['DateLessThan', 'aws:CurrentTime', '2024-01-01'],
      ['DateLessThanEquals', 'aws:CurrentTime', '2024-01-01'], ['DateGreaterThan', 'aws:CurrentTime', '2024-01-01'], ['DateGreaterThanEquals', 'aws:CurrentTime', '2024-01-01'],
      ['Bool', 'aws:SecureTransport', true], ['BinaryEquals', 's3:x-amz-content-sha256', 'AAAA'], ['IpAddress', 'aws:SourceIp', '10.0.0.0/8'],
      ['NotIpAddress', 'aws:SourceIp', '10.0.0.0/8'], ['ArnEquals', 'aws:PrincipalArn', 'arn:aws:iam:::user/a'], ['ArnNotEquals', 'aws:PrincipalArn', 'arn:aws:iam:::user/a'],
      ['ArnLike', 'aws:PrincipalArn', 'arn:aws:iam:::user/*'], ['ArnNotLike', 'aws:PrincipalArn', 'arn:aws:iam:::user/*'],
    ];
    for (const [op, key, value] of ops) {
      for (const name of [op, `${op}IfExists`, `ForAnyValue:${op}`, `ForAllValues:${op}IfExists`]) {
        assert.doesNotThrow(() => parsePolicy(withCondition({ [name]: { [key]: value } }), 'identity'), name);
      }
    }
    assert.doesNotThrow(() => parsePolicy(withCondition({ Null: { 's3:prefix': true } }), 'identity'));
  });

  it('the known condition key families', () => {
    const keys = ['aws:SourceIp', 'aws:SecureTransport', 'aws:CurrentTime', 'aws:EpochTime', 'aws:UserAgent', 'aws:Referer', 'aws:username', 'aws:userid', 'aws:PrincipalType', 'aws:groups', 's3:prefix', 's3:delimiter', 's3:max-keys', 's3:x-amz-acl', 's3:x-amz-copy-source', 's3:x-amz-server-side-encryption', 's3:x-amz-metadata-directive', 's3:x-amz-content-sha256', 's3:x-amz-storage-class', 's3:ExistingObjectTag/any key', 's3:RequestObjectTag/Env', 's3:RequestObjectTagKeys', 's3:signatureversion', 's3:authType', 's3:LocationConstraint', 's3:VersionId', 's3:object-lock-mode', 's3:object-lock-legal-hold', 'jwt:sub', 'jwt:groups', 'jwt:https://example.com/roles', 'ldap:user', 'ldap:username', 'ldap:groups', 'sts:DurationSeconds'];
    for (const k of keys) assert.doesNotThrow(() => parsePolicy(withCondition({ Null: { [k]: 'false' } }), 'identity'), k);
  });

  it('a bucket policy with resources in its bucket', () => {
    const p = parsePolicy(
      doc({ Effect: 'Allow', Principal: { AWS: ['*', 'arn:aws:iam:::user/alice', 'arn:aws:iam::123456789012:user/bob'] }, Action: 's3:*', Resource: ['arn:aws:s3:::b', 'arn:aws:s3:::b/*', 'arn:aws:s3:::b/home/${aws:username}/*'] }),
      'resource',
      { bucket: 'b', name: 'bucket:b' },
    );
    assert.equal(p.kind, 'resource');
    assert.equal(p.bucket, 'b');
    assert.deepEqual(p.statements[0].principal, { not: false, anyone: true, users: ['alice', 'bob'] });
  });

  it('JSON escapes in strings', () => {
    const p = parsePolicy('{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/\\u00e9\\/x"}}', 'identity');
    assert.equal(p.statements[0].resource !== 'any' && p.statements[0].resource.patterns[0].text, 'arn:aws:s3:::b/é/x');
  });
});
