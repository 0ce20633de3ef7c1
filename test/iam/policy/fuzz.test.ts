import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decide } from '../../../engine/iam/policy/decide.js';
import { evaluatePolicy, type RequestContext } from '../../../engine/iam/policy/evaluate.js';
import { parsePolicy, PolicyError } from '../../../engine/iam/policy/parse.js';
import type { Policy, PolicyKind } from '../../../engine/iam/policy/policy.js';
import { mulberry32 } from '../../helpers/prng.js';


const rand = mulberry32(0x9e3779b9);
const int = (n: number): number => Math.floor(rand() * n);
const pick = <T>(xs: readonly T[]): T => xs[int(xs.length)];
const chance = (p: number): boolean => rand() < p;

type Json = string | number | boolean | null | Json[] | { [k: string]: Json };

const SEEDS: { kind: PolicyKind; doc: Json }[] = [
  { kind: 'identity', doc: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: ['s3:GetObject', 's3:PutObject'], Resource: 'arn:aws:s3:::b/*' }] } },
  { kind: 'identity', doc: { Version: '2012-10-17', Statement: [{ Sid: 'Home', Effect: 'Allow', Action: 's3:*', Resource: ['arn:aws:s3:::b/home/${aws:username}/*'] }, { Effect: 'Allow', Action: 's3:ListBucket', Resource: 'arn:aws:s3:::b', Condition: { StringLike: { 's3:prefix': ['home/${aws:username}/*', ''] } } }] } },
  { kind: 'identity', doc: { Version: '2012-10-17', Statement: [{ Effect: 'Deny', NotAction: 's3:GetObject', NotResource: 'arn:aws:s3:::pub/*' }, { Effect: 'Allow', Action: '*', Resource: '*' }] } },
  { kind: 'identity', doc: { Version: '2012-10-17', Statement: { Effect: 'Allow', Action: 'admin:*' } } },
  { kind: 'identity', doc: { Version: '2008-10-17', Statement: [{ Effect: 'Allow', Action: 's3:Get*', Resource: 'arn:aws:s3:::b/${x}' }] } },
  { kind: 'identity', doc: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 's3:*', Resource: '*', Condition: { IpAddress: { 'aws:SourceIp': ['10.0.0.0/8', '2001:db8::/32'] }, Bool: { 'aws:SecureTransport': 'true' }, DateLessThan: { 'aws:CurrentTime': '2030-01-01T00:00:00Z' }, NumericLessThanEquals: { 's3:max-keys': 100 } } }] } },
  { kind: 'identity', doc: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 's3:PutObject', Resource: 'arn:aws:s3:::b/*', Condition: { 'ForAllValues:StringEquals': { 's3:RequestObjectTagKeys': ['env', 'team'] }, 'ForAnyValue:StringLikeIfExists': { 'aws:groups': 'adm*' }, Null: { 's3:x-amz-server-side-encryption': 'false' }, ArnLike: { 'aws:PrincipalArn': 'arn:aws:iam::*:user/*' }, BinaryEquals: { 's3:x-amz-content-sha256': 'aGVsbG8=' } } }] } },
  { kind: 'resource', doc: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: 'arn:aws:s3:::b/*' }, { Effect: 'Deny', Principal: { AWS: ['arn:aws:iam:::user/bob'] }, Action: 's3:DeleteObject', Resource: ['arn:aws:s3:::b', 'arn:aws:s3:::b/*'], Condition: { StringNotEquals: { 's3:ExistingObjectTag/keep': 'no' } } }] } },
  { kind: 'resource', doc: { Version: '2012-10-17', Statement: [{ Effect: 'Deny', NotPrincipal: { AWS: '*' }, Action: 's3:*', NotResource: 'arn:aws:s3:::b/pub/*', Condition: { NotIpAddress: { 'aws:SourceIp': '192.0.2.0/24' } } }] } },
];

const STRINGS = [
  '', '*', '?', 's3:*', 's3:GetObject', 's3:Get*', 'admin:*', 'sts:AssumeRole', 'ec2:*', 'arn:aws:s3:::b', 'arn:aws:s3:::b/*', 'arn:aws:s3:::*',
  'arn:aws:s3:::other/*', '${aws:username}', '${', '${*}', "${aws:username, 'x'}", '${jwt:sub}', 'Allow', 'Deny', 'allow', '2012-10-17',
  '2008-10-17', '10.0.0.0/8', '::1', '2001:db8::/129', '2024-02-30', '2024-01-01T00:00:00Z', 'true', 'false', '1e999', '-0', 'aGVsbG8=',
  'arn:aws:iam:::user/alice', 'arn:aws:iam::123456789012:root', '__proto__', 'constructor', 'toString', 'é😀', '\u0000', '\uD800', 'x'.repeat(300),
];
const KEYS = [
  'Version', 'Statement', 'Id', 'Sid', 'Effect', 'Action', 'NotAction', 'Resource', 'NotResource', 'Principal', 'NotPrincipal', 'Condition',
  'AWS', 'StringEquals', 'StringLike', 'ForAnyValue:StringNotEquals', 'ForAllValues:NumericLessThanIfExists', 'Null', 'NullIfExists', 'IpAddress',
  'DateGreaterThan', 'Bool', 'ArnLike', 'BinaryEquals', 's3:prefix', 'aws:SourceIp', 'aws:CurrentTime', 's3:ExistingObjectTag/T', 'jwt:sub',
  'aws:bogus', '__proto__', 'constructor', 'effect', '',
];

function randomJson(depth: number): Json {
  const r = int(depth > 0 ? 8 : 5);
  switch (r) {
    case 0: return null;
    case 1: return chance(0.5);
    case 2: return pick([0, 1, -1, 10, 1.5, 1e21, 2 ** 53, 1700000000]);
    case 3:
    case 4: return pick(STRINGS);
    case 5:
    case 6: {
      const o: { [k: string]: Json } = {};
      for (let i = int(4); i > 0; i--) o[pick(KEYS)] = randomJson(depth - 1);
      return o;
    }
    default: return Array.from({ length: int(4) }, () => randomJson(depth - 1));
  }
}

const GOOD_ACTIONS = ['s3:GetObject', 's3:*', 's3:Put*', 's3:?etObject', '*', 's3:ListBucket', ['s3:DeleteObject', 's3:GetObjectTagging']];
const GOOD_RESOURCES = ['arn:aws:s3:::b/*', 'arn:aws:s3:::b', 'arn:aws:s3:::b/home/${aws:username}/*', 'arn:aws:s3:::b/${*}', ['arn:aws:s3:::b/a?', 'arn:aws:s3:::b/x/*']];
const GOOD_CONDITIONS: Json[] = [
  { StringEquals: { 's3:prefix': ['a', '${aws:username}'] } },
  { StringNotLike: { 'aws:UserAgent': '*curl*' } },
  { NumericGreaterThanEquals: { 's3:max-keys': '5' } },
  { DateGreaterThan: { 'aws:EpochTime': 1600000000 } },
  { 'ForAllValues:StringLike': { 'aws:groups': ['a*', 'users'] } },
  { NotIpAddress: { 'aws:SourceIp': ['192.0.2.0/24', '::1'] } },
  { BoolIfExists: { 'aws:SecureTransport': false } },
  { Null: { 'jwt:sub': true } },
  { ArnNotEquals: { 'aws:PrincipalArn': 'arn:aws:iam:::user/bob' } },
];

/** A change that keeps the document valid, most of the time: the evaluator's turn. */
function tweak(doc: Json): Json {
  if (Array.isArray(doc)) {
    const at = int(doc.length);
    return doc.map((d, i) => (i === at ? tweak(d) : d));
  }
  if (doc === null || typeof doc !== 'object') return doc;
  const out: { [k: string]: Json } = { ...doc };
  if ('Statement' in out) {
    if (chance(0.3)) out.Version = pick(['2012-10-17', '2008-10-17']);
    out.Statement = tweak(out.Statement);
    return out;
  }
  switch (int(6)) {
    case 0: out.Effect = out.Effect === 'Allow' ? 'Deny' : 'Allow'; break;
    case 1: out[chance(0.8) ? 'Action' : 'NotAction'] = pick(GOOD_ACTIONS); if ('Action' in out && 'NotAction' in out) delete out[pick(['Action', 'NotAction'])]; break;
    case 2: out[chance(0.8) ? 'Resource' : 'NotResource'] = pick(GOOD_RESOURCES); if ('Resource' in out && 'NotResource' in out) delete out[pick(['Resource', 'NotResource'])]; break;
    case 3: out.Condition = pick(GOOD_CONDITIONS); break;
    case 4: delete out.Condition; break;
    default: out.Sid = pick(['', 'S1', 'x y']);
  }
  return out;
}

/** Changes one node somewhere in the document. */
function mutate(doc: Json, depth = 0): Json {
  if (depth > 0 && chance(0.25)) return mutateLeaf(doc);
  if (Array.isArray(doc)) {
    if (doc.length === 0 || chance(0.15)) return chance(0.5) ? [...doc, randomJson(2)] : doc.length ? doc[0] : [];
    const i = int(doc.length);
    const out = [...doc];
    if (chance(0.1)) out.splice(i, 1);
    else out[i] = mutate(doc[i], depth + 1);
    return out;
  }
  if (doc !== null && typeof doc === 'object') {
    const keys = Object.keys(doc);
    const out: { [k: string]: Json } = { ...doc };
    const k = keys.length ? pick(keys) : undefined;
    const r = int(10);
    if (k === undefined || r === 0) out[pick(KEYS)] = randomJson(2);
    else if (r === 1) delete out[k];
    else if (r === 2) {
      const v = out[k];
      delete out[k];
      out[chance(0.5) ? k.toLowerCase() : `${k}s`] = v;
    } else if (r === 3) return [doc];
    else out[k] = mutate(doc[k], depth + 1);
    return out;
  }
  return mutateLeaf(doc);
}

function mutateLeaf(v: Json): Json {
  if (typeof v === 'string' && chance(0.6)) {
    const i = int(v.length + 1);
    switch (int(5)) {
      case 0: return v.slice(0, i);
      case 1: return v.slice(0, i) + pick(['*', '?', '$', '{', '}', '${', ':', '/', ' ', 'é', '\u0000']) + v.slice(i);
      case 2: return v.toUpperCase();
      case 3: return v + v;
      default: return pick(STRINGS);
    }
  }
  return randomJson(2);
}

/** Text-level damage: the JSON reader's turn. */
function damage(text: string): string {
  const i = int(text.length + 1);
  switch (int(6)) {
    case 0: return text.slice(0, i);
    case 1: return text.slice(0, i) + text.slice(i + 1 + int(3));
    case 2: return text.slice(0, i) + pick(['{', '}', '[', ']', ',', ':', '"', '\\', '\\u12', 'tru', '-', '0', '1e', '\n', '\uFEFF', '}}}}']) + text.slice(i);
    case 3: return text.slice(0, i) + text.slice(i, i + int(20)) + text.slice(i);
    case 4: return `${text.slice(0, i).replace(/"(Effect)"/, '"$1":"Deny","$1"')}${text.slice(i)}`;
    default: return String.fromCharCode(...Array.from({ length: int(40) }, () => 32 + int(95)));
  }
}

const ACTIONS = ['s3:GetObject', 's3:PutObject', 's3:DeleteObject', 's3:ListBucket', 's3:ListAllMyBuckets', 'admin:CreateUser', 'sts:AssumeRole', 'S3:getobject'];
const RESOURCES = ['arn:aws:s3:::b/k', 'arn:aws:s3:::b', 'arn:aws:s3:::*', 'arn:aws:s3:::b/home/alice/x', 'arn:aws:s3:::pub/x', 'arn:aws:s3:::other/k', 'arn:aws:s3:::b/${x}'];
const PRINCIPALS: RequestContext['principal'][] = [
  { anonymous: true },
  { anonymous: false, arn: 'arn:aws:iam:::user/alice', username: 'alice' },
  { anonymous: false, arn: 'arn:aws:iam:::user/bob', username: 'bob' },
];
const CONTEXTS: Record<string, string[]>[] = [
  {},
  { 'aws:username': ['alice'], 'aws:sourceip': ['10.1.2.3'], 'aws:securetransport': ['true'], 'aws:currenttime': ['2024-05-01T00:00:00Z'], 's3:max-keys': ['50'], 's3:prefix': ['home/alice/'] },
  { 'aws:sourceip': ['not-an-ip'], 'aws:currenttime': ['garbage'], 's3:max-keys': ['many'], 'aws:groups': ['admins', 'users'], 's3:requestobjecttagkeys': [], 's3:existingobjecttag/keep': ['yes'] },
  { 'aws:sourceip': ['2001:db8::9'], 'aws:principalarn': ['arn:aws:iam:::user/alice'], 's3:x-amz-content-sha256': ['aGVsbG8='], 'jwt:sub': ['*'], 's3:x-amz-server-side-encryption': [''] },
];

function randomRequest(): RequestContext {
  return { action: pick(ACTIONS), resource: pick(RESOURCES), conditions: pick(CONTEXTS), principal: pick(PRINCIPALS) };
}

/** Every statement's Effect set to Deny, wherever it is. */
function denyOnly(doc: Json): Json {
  if (Array.isArray(doc)) return doc.map(denyOnly);
  if (doc !== null && typeof doc === 'object') {
    const out: { [k: string]: Json } = {};
    for (const [k, v] of Object.entries(doc)) out[k] = k === 'Effect' ? 'Deny' : denyOnly(v);
    return out;
  }
  return doc;
}

describe('policy fuzzing', () => {
  it('every input parses or is refused with a PolicyError; parsed ones evaluate; Deny-only sets never allow', (t) => {
    const started = Date.now();
    let inputs = 0;
    let parsed = 0;
    let refused = 0;
    const denyOnlyPolicies: Policy[] = [];

    const attempt = (input: unknown, kind: PolicyKind): Policy | undefined => {
      inputs++;
      try {
        const p = parsePolicy(input, kind, { bucket: 'b', name: `fuzz${inputs}` });
        parsed++;
        return p;
      } catch (err) {
        if (!(err instanceof PolicyError)) assert.fail(`input ${inputs} threw ${String(err)} for ${typeof input === 'string' ? input : JSON.stringify(input)}`);
        assert.ok(!err.message.startsWith('internal error'), `input ${inputs}: ${err.message}`);
        refused++;
        return undefined;
      }
    };

    const check = (p: Policy): void => {
      for (let i = 0; i < 4; i++) {
        const r = randomRequest();
        const d = evaluatePolicy(p, r);
        assert.ok(d.effect === 'Allow' || d.effect === 'Deny' || d.effect === 'None');
        if (d.effect !== 'None') assert.equal(p.statements[d.statement].effect, d.effect);
      }
    };

    for (let round = 0; round < 4000; round++) {
      const seed = pick(SEEDS);
      let doc = seed.doc;
      for (let n = int(4); n > 0; n--) doc = tweak(doc);
      for (let n = int(3); n > 0; n--) doc = mutate(doc);
      const p = attempt(doc, seed.kind);
      if (p) check(p);

      const text = damage(JSON.stringify(chance(0.5) ? doc : seed.doc));
      const q = attempt(text, seed.kind);
      if (q) check(q);

      const denied = attempt(denyOnly(doc), seed.kind);
      if (denied) {
        check(denied);
        assert.ok(denied.statements.every((s) => s.effect === 'Deny'));
        denyOnlyPolicies.push(denied);
      }
    }
    for (let round = 0; round < 1000; round++) {
      const r = attempt(randomJson(5), chance(0.5) ? 'identity' : 'resource');
      if (r) check(r);
      attempt(chance(0.5) ? { Version: '2012-10-17', Statement: randomJson(4) } : damage(JSON.stringify(randomJson(3))), 'identity');
    }

    // Policies with no Allow statement never allow, in any combination.
    assert.ok(denyOnlyPolicies.length > 100, `only ${denyOnlyPolicies.length} deny-only policies parsed`);
    const identity = denyOnlyPolicies.filter((p) => p.kind === 'identity');
    const buckets = denyOnlyPolicies.filter((p) => p.kind === 'resource');
    for (let round = 0; round < 2000; round++) {
      const some = (ps: Policy[]): Policy[] => Array.from({ length: int(4) }, () => pick(ps));
      const d = decide({ identity: some(identity), ...(buckets.length && chance(0.7) ? { bucket: pick(buckets) } : {}), intersect: chance(0.5) ? [some(identity)] : [] }, randomRequest());
      assert.equal(d.allowed, false, d.reason);
    }

    assert.ok(inputs >= 10_000, `only ${inputs} inputs`);
    assert.ok(parsed > 1000 && refused > 1000, `parsed ${parsed}, refused ${refused}: the mutations should do both`);
    t.diagnostic(`${inputs} inputs: ${parsed} parsed, ${refused} refused; ${denyOnlyPolicies.length} deny-only policies; ${Date.now() - started} ms`);
    assert.ok(Date.now() - started < 20_000, `took ${Date.now() - started} ms`);
  });
});
