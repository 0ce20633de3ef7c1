import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parsePolicy, PolicyError } from '../../../engine/iam/policy/parse.js';

/** Where a refusal points: the text at the reported position starts the offending part. */
function refusedAt(doc: string, kind: 'identity' | 'resource' = 'identity'): { text: string; line: number; column: number } {
  try {
    parsePolicy(doc, kind, kind === 'resource' ? { bucket: 'b' } : {});
  } catch (err) {
    assert.ok(err instanceof PolicyError);
    assert.ok(err.position, `no position for: ${err.message}`);
    const { offset, line, column } = err.position;
    assert.equal(doc.split('\n')[line - 1].slice(column - 1), doc.slice(offset).split('\n')[0], 'line/column and offset agree');
    return { text: doc.slice(offset, offset + 20), line, column };
  }
  assert.fail('the policy was accepted');
}

const wrap = (statement: string) => `{\n  "Version": "2012-10-17",\n  "Statement": [\n    ${statement}\n  ]\n}`;

test('semantic refusals point at the member that is wrong', () => {
  assert.match(refusedAt(wrap('{ "Effect": "Alow", "Action": "s3:*", "Resource": "*" }')).text, /^"Effect"/);
  assert.match(refusedAt(wrap('{ "Effect": "Allow", "Action": ["s3:GetObject", "s3:Nope"], "Resource": "*" }')).text, /^"s3:Nope"/);
  assert.match(refusedAt(wrap('{ "Effect": "Allow", "Action": "s3:*", "Resource": ["*", "arn:aws:ec2:::x"] }')).text, /^"arn:aws:ec2/);
  assert.match(refusedAt(wrap('{ "Effect": "Allow", "Action": "s3:*", "Resource": "*", "Conditon": {} }')).text, /^"Conditon"/);
  assert.match(refusedAt(wrap('{ "Effect": "Allow", "Action": "s3:*", "Resource": "*", "Condition": { "IpAddress": { "aws:SourceIp": ["10.0.0.0/8", "nope"] } } }')).text, /^"nope"/);
  assert.match(refusedAt(wrap('{ "Effect": "Allow", "Action": "s3:*", "Resource": "*", "Condition": { "StringEquals": { "s3:bogus": "x" } } }')).text, /^"s3:bogus"/);
  assert.match(refusedAt(wrap('{ "Effect": "Allow", "Principal": {"AWS": ["arn:aws:iam::user/x"]}, "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*" }'), 'resource').text, /^"arn:aws:iam::user/);
  assert.match(refusedAt('{\n  "Version": "2013-01-01",\n  "Statement": []\n}').text, /^"Version"/);
});

test('a statement missing a part points at the statement; syntax errors at the character', () => {
  const missing = refusedAt(wrap('{ "Effect": "Allow", "Action": "s3:*" }'));
  assert.deepEqual([missing.line, missing.column], [4, 5]);
  const syntax = refusedAt('{\n  "Version": "2012-10-17",\n  "Statement": [ { "Effect": "Allow", } ]\n}');
  assert.deepEqual([syntax.line, syntax.text[0]], [3, '}']);
  const dup = refusedAt('{\n  "Version": "2012-10-17",\n  "Version": "2012-10-17"\n}');
  assert.equal(dup.line, 3);
  // A byte-order mark counts: positions index the text as given.
  const bom = refusedAt('\ufeff{ "Version": "2012-10-17", "Statement": { "Effect": "Nope" } }');
  assert.match(bom.text, /^"Effect"/);
});
