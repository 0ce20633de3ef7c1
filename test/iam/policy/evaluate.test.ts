import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { actionMatches, actionsMatching, isKnownAction } from '../../../engine/iam/policy/actions.js';
import { BUILTIN_POLICIES } from '../../../engine/iam/policy/builtin.js';
import { canonicalKeyName } from '../../../engine/iam/policy/condition-keys.js';
import { decide, type DecideInput } from '../../../engine/iam/policy/decide.js';
import { evaluatePolicy, type RequestContext } from '../../../engine/iam/policy/evaluate.js';
import { parsePolicy } from '../../../engine/iam/policy/parse.js';
import type { Policy } from '../../../engine/iam/policy/policy.js';

// Cases follow AWS's documented semantics: "Policy evaluation logic", "IAM JSON
// policy elements: Condition operators", "Single-valued vs. multivalued
// context keys" and "IAM policy elements: Variables and tags".

type Want = 'Allow' | 'Deny' | 'None';
type Principal = RequestContext['principal'];

const ALICE: Principal = { anonymous: false, arn: 'arn:aws:iam:::user/alice', username: 'alice' };
const BOB: Principal = { anonymous: false, arn: 'arn:aws:iam:::user/bob', username: 'bob' };
const ANON: Principal = { anonymous: true };

function identity(...statements: object[]): Policy {
  return parsePolicy({ Version: '2012-10-17', Statement: statements }, 'identity', { name: 'p' });
}

function bucketPolicy(...statements: object[]): Policy {
  return parsePolicy({ Version: '2012-10-17', Statement: statements }, 'resource', { name: 'bp', bucket: 'b' });
}

function req(o: Partial<RequestContext> = {}): RequestContext {
  return { action: 's3:GetObject', resource: 'arn:aws:s3:::b/k', conditions: {}, principal: ALICE, ...o };
}

interface Case {
  name: string;
  policy: Policy;
  req: RequestContext;
  want: Want;
}

const CASES: Case[] = [];

function add(name: string, policy: Policy, r: Partial<RequestContext>, want: Want): void {
  CASES.push({ name, policy, req: req(r), want });
}

const allowAll = { Effect: 'Allow', Action: '*', Resource: '*' };

// ---- effects and explicit deny -------------------------------------------------------

{
  const p = identity({ Effect: 'Allow', Action: 's3:*', Resource: '*' }, { Effect: 'Deny', Action: 's3:DeleteObject', Resource: '*' });
  add('deny beats allow for the denied action', p, { action: 's3:DeleteObject' }, 'Deny');
  add('allow stands for other actions', p, { action: 's3:GetObject' }, 'Allow');
  const q = identity({ Effect: 'Deny', Action: 's3:DeleteObject', Resource: '*' }, { Effect: 'Allow', Action: 's3:*', Resource: '*' });
  add('deny wins whatever the statement order', q, { action: 's3:DeleteObject' }, 'Deny');
  add('nothing applies: None (implicit deny)', identity({ Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::x/*' }), {}, 'None');
  add('a lone deny that does not apply: None', identity({ Effect: 'Deny', Action: 's3:PutObject', Resource: '*' }), {}, 'None');
  add('a lone deny that applies: Deny', identity({ Effect: 'Deny', Action: 's3:GetObject', Resource: '*' }), {}, 'Deny');
  const c = identity(allowAll, { Effect: 'Deny', Action: '*', Resource: '*', Condition: { Bool: { 'aws:SecureTransport': 'false' } } });
  add('deny with an unmet condition leaves the allow', c, { conditions: { 'aws:securetransport': ['true'] } }, 'Allow');
  add('deny with a met condition wins', c, { conditions: { 'aws:securetransport': ['false'] } }, 'Deny');
  add('deny on Bool condition with the key absent does not apply', c, {}, 'Allow');
  const nr = identity(allowAll, { Effect: 'Deny', Action: 's3:*', NotResource: 'arn:aws:s3:::b/public/*' });
  add('Deny+NotResource: outside the exception is denied', nr, { resource: 'arn:aws:s3:::b/private/x' }, 'Deny');
  add('Deny+NotResource: the exception is not denied', nr, { resource: 'arn:aws:s3:::b/public/x' }, 'Allow');
  const na = identity(allowAll, { Effect: 'Deny', NotAction: ['s3:GetObject', 's3:ListBucket'], Resource: '*' });
  add('Deny+NotAction: other actions are denied', na, { action: 's3:PutObject' }, 'Deny');
  add('Deny+NotAction: listed actions are not denied', na, { action: 's3:GetObject' }, 'Allow');
  add('Deny+NotAction: admin actions are denied too', na, { action: 'admin:CreateUser' }, 'Deny');
}

// ---- actions -------------------------------------------------------------------------

{
  const get = identity({ Effect: 'Allow', Action: 's3:Get*', Resource: '*' });
  add('s3:Get* covers GetObject', get, { action: 's3:GetObject' }, 'Allow');
  add('s3:Get* covers GetObjectTagging', get, { action: 's3:GetObjectTagging' }, 'Allow');
  add('s3:Get* does not cover PutObject', get, { action: 's3:PutObject' }, 'None');
  add('s3:Get* does not cover ListBucket', get, { action: 's3:ListBucket' }, 'None');
  add('request action case does not matter', get, { action: 'S3:GETOBJECT' }, 'Allow');
  add('policy action case does not matter', identity({ Effect: 'Allow', Action: 'S3:getobject', Resource: '*' }), { action: 's3:GetObject' }, 'Allow');
  const suffix = identity({ Effect: 'Allow', Action: 's3:*Object', Resource: '*' });
  add('s3:*Object covers DeleteObject', suffix, { action: 's3:DeleteObject' }, 'Allow');
  add('s3:*Object does not cover DeleteObjectTagging', suffix, { action: 's3:DeleteObjectTagging' }, 'None');
  const q = identity({ Effect: 'Allow', Action: 's3:?etObject', Resource: '*' });
  add('? matches one character (GetObject)', q, { action: 's3:GetObject' }, 'Allow');
  add('? matches exactly one character (not PutObject... P≠?etO)', q, { action: 's3:PutObject' }, 'None');
  const all = identity({ Effect: 'Allow', Action: '*', Resource: '*' });
  add('* covers S3 actions', all, { action: 's3:ListAllMyBuckets', resource: 'arn:aws:s3:::*' }, 'Allow');
  add('* covers admin actions', all, { action: 'admin:ServerInfo', resource: 'arn:aws:s3:::*' }, 'Allow');
  const s3all = identity({ Effect: 'Allow', Action: 's3:*', Resource: '*' });
  add('s3:* covers s3:PutBucketPolicy', s3all, { action: 's3:PutBucketPolicy', resource: 'arn:aws:s3:::b' }, 'Allow');
  add('s3:* does not cover admin:CreateUser', s3all, { action: 'admin:CreateUser' }, 'None');
  add('s3:* does not cover sts:AssumeRole', s3all, { action: 'sts:AssumeRole' }, 'None');
  const admin = identity({ Effect: 'Allow', Action: 'admin:*' });
  add('admin:* without Resource covers admin:CreateUser', admin, { action: 'admin:CreateUser', resource: 'arn:aws:s3:::*' }, 'Allow');
  add('admin:* without Resource applies to any resource', admin, { action: 'admin:Heal', resource: 'arn:aws:s3:::b/k' }, 'Allow');
  add('admin:* does not cover s3:GetObject', admin, { action: 's3:GetObject' }, 'None');
  const sts = identity({ Effect: 'Allow', Action: 'sts:AssumeRole' });
  add('sts:AssumeRole allows AssumeRole', sts, { action: 'sts:AssumeRole', resource: 'arn:aws:s3:::*' }, 'Allow');
  add('sts:AssumeRole does not allow AssumeRoleWithWebIdentity', sts, { action: 'sts:AssumeRoleWithWebIdentity', resource: 'arn:aws:s3:::*' }, 'None');
  const list = identity({ Effect: 'Allow', Action: ['s3:GetObject', 's3:ListBucket'], Resource: ['arn:aws:s3:::b', 'arn:aws:s3:::b/*'] });
  add('action list: ListBucket on the bucket', list, { action: 's3:ListBucket', resource: 'arn:aws:s3:::b' }, 'Allow');
  add('action list: GetObject on an object', list, { action: 's3:GetObject', resource: 'arn:aws:s3:::b/x' }, 'Allow');
  add('action list: DeleteObject not listed', list, { action: 's3:DeleteObject', resource: 'arn:aws:s3:::b/x' }, 'None');
  const notAction = identity({ Effect: 'Allow', NotAction: 's3:DeleteObject', Resource: '*' });
  add('Allow+NotAction: other S3 actions allowed', notAction, { action: 's3:GetObject' }, 'Allow');
  add('Allow+NotAction: the excluded action is not allowed', notAction, { action: 's3:DeleteObject' }, 'None');
  add('Allow+NotAction: covers admin actions too', notAction, { action: 'admin:CreateUser' }, 'Allow');
  const notWild = identity({ Effect: 'Allow', NotAction: ['s3:Delete*', 's3:Put*'], Resource: '*' });
  add('NotAction wildcard excludes PutObjectTagging', notWild, { action: 's3:PutObjectTagging' }, 'None');
  add('NotAction wildcard excludes DeleteBucket', notWild, { action: 's3:DeleteBucket' }, 'None');
  add('NotAction wildcard leaves ListBucket', notWild, { action: 's3:ListBucket' }, 'Allow');
  add('NotAction is case-insensitive', identity({ Effect: 'Allow', NotAction: 'S3:DELETEOBJECT', Resource: '*' }), { action: 's3:DeleteObject' }, 'None');
}

// ---- resources -----------------------------------------------------------------------

{
  const objects = identity({ Effect: 'Allow', Action: 's3:*', Resource: 'arn:aws:s3:::b/*' });
  add('b/* covers an object', objects, { resource: 'arn:aws:s3:::b/k' }, 'Allow');
  add('b/* covers a nested object (* crosses /)', objects, { resource: 'arn:aws:s3:::b/a/b/c' }, 'Allow');
  add('b/* does not cover the bucket itself', objects, { action: 's3:ListBucket', resource: 'arn:aws:s3:::b' }, 'None');
  add('b/* does not cover another bucket bb', objects, { resource: 'arn:aws:s3:::bb/k' }, 'None');
  add('b/* does not cover the account resource', objects, { action: 's3:ListAllMyBuckets', resource: 'arn:aws:s3:::*' }, 'None');
  const prefix = identity({ Effect: 'Allow', Action: 's3:*', Resource: 'arn:aws:s3:::b*' });
  add('b* covers bb/k (wildcards span bucket names)', prefix, { resource: 'arn:aws:s3:::bb/k' }, 'Allow');
  add('b* covers the bucket b', prefix, { resource: 'arn:aws:s3:::b' }, 'Allow');
  add('b* does not cover a/k', prefix, { resource: 'arn:aws:s3:::a/k' }, 'None');
  const bucket = identity({ Effect: 'Allow', Action: 's3:ListBucket', Resource: 'arn:aws:s3:::b' });
  add('exact bucket ARN matches the bucket', bucket, { action: 's3:ListBucket', resource: 'arn:aws:s3:::b' }, 'Allow');
  add('exact bucket ARN does not match b/', bucket, { action: 's3:ListBucket', resource: 'arn:aws:s3:::b/' }, 'None');
  const star = identity({ Effect: 'Allow', Action: 's3:*', Resource: '*' });
  add('* matches any ARN', star, { resource: 'arn:aws:s3:::anything/at/all' }, 'Allow');
  add('* matches the account resource', star, { action: 's3:ListAllMyBuckets', resource: 'arn:aws:s3:::*' }, 'Allow');
  const acct = identity({ Effect: 'Allow', Action: 's3:ListAllMyBuckets', Resource: 'arn:aws:s3:::*' });
  add('arn:aws:s3:::* matches arn:aws:s3:::*', acct, { action: 's3:ListAllMyBuckets', resource: 'arn:aws:s3:::*' }, 'Allow');
  const cased = identity({ Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::b/Photos/*' });
  add('resources are case-sensitive (photos ≠ Photos)', cased, { resource: 'arn:aws:s3:::b/photos/x' }, 'None');
  add('resources match their own case', cased, { resource: 'arn:aws:s3:::b/Photos/x' }, 'Allow');
  const q = identity({ Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::b/file?.txt' });
  add('? matches one character in a resource', q, { resource: 'arn:aws:s3:::b/file1.txt' }, 'Allow');
  add('? does not match two characters', q, { resource: 'arn:aws:s3:::b/file10.txt' }, 'None');
  add('? does not match zero characters', q, { resource: 'arn:aws:s3:::b/file.txt' }, 'None');
  const one = identity({ Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::b/?' });
  add('? matches one accented letter', one, { resource: 'arn:aws:s3:::b/é' }, 'Allow');
  add('? matches one astral character (a code point, not a UTF-16 unit)', one, { resource: 'arn:aws:s3:::b/😀' }, 'Allow');
  const mid = identity({ Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::b/*/x' });
  add('*/x matches a/b/x', mid, { resource: 'arn:aws:s3:::b/a/b/x' }, 'Allow');
  add('*/x does not match a/b/y', mid, { resource: 'arn:aws:s3:::b/a/b/y' }, 'None');
  const many = identity({ Effect: 'Allow', Action: 's3:GetObject', Resource: ['arn:aws:s3:::a/*', 'arn:aws:s3:::b/pub/*'] });
  add('resource list: the second one matches', many, { resource: 'arn:aws:s3:::b/pub/x' }, 'Allow');
  add('resource list: none matches', many, { resource: 'arn:aws:s3:::b/priv/x' }, 'None');
  const notRes = identity({ Effect: 'Allow', Action: 's3:GetObject', NotResource: 'arn:aws:s3:::b/secret/*' });
  add('Allow+NotResource: other objects allowed', notRes, { resource: 'arn:aws:s3:::b/open' }, 'Allow');
  add('Allow+NotResource: the excluded objects are not', notRes, { resource: 'arn:aws:s3:::b/secret/x' }, 'None');
  add('Allow+NotResource: other buckets allowed', notRes, { resource: 'arn:aws:s3:::c/x' }, 'Allow');
  const lit = identity({ Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::b/a+b c' });
  add('literal special characters in resources', lit, { resource: 'arn:aws:s3:::b/a+b c' }, 'Allow');
  add('no regex meaning in resources', lit, { resource: 'arn:aws:s3:::b/aab c' }, 'None');
}

// ---- policy variables ----------------------------------------------------------------

{
  const home = identity({ Effect: 'Allow', Action: 's3:*', Resource: 'arn:aws:s3:::b/home/${aws:username}/*' });
  add('${aws:username} resolves to the user', home, { resource: 'arn:aws:s3:::b/home/alice/x', conditions: { 'aws:username': ['alice'] } }, 'Allow');
  add('${aws:username} does not match another user', home, { resource: 'arn:aws:s3:::b/home/alice/x', conditions: { 'aws:username': ['bob'] } }, 'None');
  add('${aws:username} absent: the resource matches nothing', home, { resource: 'arn:aws:s3:::b/home//x' }, 'None');
  add('substituted values are literal (a* is not a wildcard)', home, { resource: 'arn:aws:s3:::b/home/abc/x', conditions: { 'aws:username': ['a*'] } }, 'None');
  add('a user named a* gets home/a*/', home, { resource: 'arn:aws:s3:::b/home/a*/x', conditions: { 'aws:username': ['a*'] } }, 'Allow');
  add('a multi-valued variable resolves to nothing', identity({ Effect: 'Allow', Action: 's3:*', Resource: 'arn:aws:s3:::b/${aws:groups}/*' }), { resource: 'arn:aws:s3:::b/g1/x', conditions: { 'aws:groups': ['g1', 'g2'] } }, 'None');
  add('a single-valued aws:groups resolves', identity({ Effect: 'Allow', Action: 's3:*', Resource: 'arn:aws:s3:::b/${aws:groups}/*' }), { resource: 'arn:aws:s3:::b/g1/x', conditions: { 'aws:groups': ['g1'] } }, 'Allow');
  const jwt = identity({ Effect: 'Allow', Action: 's3:*', Resource: 'arn:aws:s3:::b/${jwt:sub}/*' });
  add('${jwt:sub} resolves from the token claim', jwt, { resource: 'arn:aws:s3:::b/u-1/x', conditions: { 'jwt:sub': ['u-1'] } }, 'Allow');
  add('${jwt:sub} absent matches nothing', jwt, { resource: 'arn:aws:s3:::b/u-1/x' }, 'None');
  const userid = identity({ Effect: 'Allow', Action: 's3:*', Resource: 'arn:aws:s3:::b/${aws:userid}/*' });
  add('${aws:userid}', userid, { resource: 'arn:aws:s3:::b/AID1/x', conditions: { 'aws:userid': ['AID1'] } }, 'Allow');
  const ptype = identity({ Effect: 'Allow', Action: 's3:*', Resource: 'arn:aws:s3:::b/${aws:PrincipalType}/*' });
  add('${aws:PrincipalType} (mixed case name)', ptype, { resource: 'arn:aws:s3:::b/User/x', conditions: { 'aws:principaltype': ['User'] } }, 'Allow');
  const escStar = identity({ Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::b/${*}' });
  add('${*} is a literal *: matches b/*', escStar, { resource: 'arn:aws:s3:::b/*' }, 'Allow');
  add('${*} is not a wildcard: does not match b/x', escStar, { resource: 'arn:aws:s3:::b/x' }, 'None');
  const escQ = identity({ Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::b/a${?}' });
  add('${?} is a literal ?', escQ, { resource: 'arn:aws:s3:::b/a?' }, 'Allow');
  add('${?} is not a wildcard', escQ, { resource: 'arn:aws:s3:::b/ab' }, 'None');
  const escD = identity({ Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::b/${$}{x}' });
  add('${$} is a literal $', escD, { resource: 'arn:aws:s3:::b/${x}' }, 'Allow');
  const dflt = identity({ Effect: 'Allow', Action: 's3:*', Resource: "arn:aws:s3:::b/${aws:username, 'anon'}/*" });
  add('a default stands in for an absent key', dflt, { resource: 'arn:aws:s3:::b/anon/x' }, 'Allow');
  add('a present key wins over the default', dflt, { resource: 'arn:aws:s3:::b/alice/x', conditions: { 'aws:username': ['alice'] } }, 'Allow');
  add('with a present key the default does not match', dflt, { resource: 'arn:aws:s3:::b/anon/x', conditions: { 'aws:username': ['alice'] } }, 'None');
  const old = parsePolicy({ Version: '2008-10-17', Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::b/${aws:username}' }] }, 'identity');
  add('2008-10-17: ${…} is plain text', old, { resource: 'arn:aws:s3:::b/${aws:username}', conditions: { 'aws:username': ['alice'] } }, 'Allow');
  add('2008-10-17: ${…} is not substituted', old, { resource: 'arn:aws:s3:::b/alice', conditions: { 'aws:username': ['alice'] } }, 'None');
  const tag = identity({ Effect: 'Allow', Action: 's3:*', Resource: 'arn:aws:s3:::b/${aws:PrincipalTag/Team}/*' });
  add('tag variables keep the tag key case', tag, { resource: 'arn:aws:s3:::b/red/x', conditions: { 'aws:principaltag/Team': ['red'] } }, 'Allow');
  add('tag variables do not match another case of the tag key', tag, { resource: 'arn:aws:s3:::b/red/x', conditions: { 'aws:principaltag/team': ['red'] } }, 'None');
  const condVar = identity({ Effect: 'Allow', Action: 's3:ListBucket', Resource: 'arn:aws:s3:::b', Condition: { StringLike: { 's3:prefix': ['home/${aws:username}/*', 'home/${aws:username}'] } } });
  add('variables in StringLike: own prefix', condVar, { action: 's3:ListBucket', resource: 'arn:aws:s3:::b', conditions: { 's3:prefix': ['home/alice/docs'], 'aws:username': ['alice'] } }, 'Allow');
  add('variables in StringLike: own folder exactly', condVar, { action: 's3:ListBucket', resource: 'arn:aws:s3:::b', conditions: { 's3:prefix': ['home/alice'], 'aws:username': ['alice'] } }, 'Allow');
  add('variables in StringLike: another user prefix', condVar, { action: 's3:ListBucket', resource: 'arn:aws:s3:::b', conditions: { 's3:prefix': ['home/bob/'], 'aws:username': ['alice'] } }, 'None');
  const eqVar = identity({ Effect: 'Allow', Action: 's3:*', Resource: '*', Condition: { StringEquals: { 's3:prefix': '${aws:username}' } } });
  add('variables in StringEquals', eqVar, { conditions: { 's3:prefix': ['alice'], 'aws:username': ['alice'] } }, 'Allow');
  add('variables in StringEquals: unresolved matches nothing', eqVar, { conditions: { 's3:prefix': ['alice'] } }, 'None');
  const neVar = identity({ Effect: 'Allow', Action: 's3:*', Resource: '*', Condition: { StringNotEquals: { 's3:prefix': '${aws:username}' } } });
  add('StringNotEquals with an unresolved variable: nothing to differ from, holds', neVar, { conditions: { 's3:prefix': ['x'] } }, 'Allow');
  add('StringNotEquals with a resolved variable equal: fails', neVar, { conditions: { 's3:prefix': ['alice'], 'aws:username': ['alice'] } }, 'None');
  const likeStar = identity({ Effect: 'Allow', Action: 's3:*', Resource: '*', Condition: { StringLike: { 's3:prefix': 'a${*}' } } });
  add('${*} in StringLike is literal', likeStar, { conditions: { 's3:prefix': ['a*'] } }, 'Allow');
  add('${*} in StringLike does not glob', likeStar, { conditions: { 's3:prefix': ['abc'] } }, 'None');
  const nrVar = identity({ Effect: 'Allow', Action: 's3:GetObject', NotResource: 'arn:aws:s3:::b/${aws:username}/*' });
  add('NotResource with the variable resolved excludes the folder', nrVar, { resource: 'arn:aws:s3:::b/alice/x', conditions: { 'aws:username': ['alice'] } }, 'None');
  add('NotResource with the variable unresolved excludes nothing', nrVar, { resource: 'arn:aws:s3:::b/alice/x' }, 'Allow');
}

// ---- condition operators -------------------------------------------------------------

/**
 * Two cases per line: an Allow guarded by the condition (Allow when it holds,
 * None when not), and an Allow-all with a Deny guarded by it (Deny when it
 * holds, Allow when not).
 */
function cond(op: string, key: string, values: unknown, ctx: string[] | undefined, holds: boolean, extra: Record<string, string[]> = {}): void {
  const conditions = { ...(ctx === undefined ? {} : { [canonicalKeyName(key)]: ctx }), ...extra };
  const label = `${op} ${key}=${JSON.stringify(values)} given ${ctx === undefined ? 'no key' : JSON.stringify(ctx)} ${holds ? 'holds' : 'fails'}`;
  const condition = { [op]: { [key]: values } };
  add(`${label} (allow)`, identity({ Effect: 'Allow', Action: 's3:GetObject', Resource: '*', Condition: condition }), { conditions }, holds ? 'Allow' : 'None');
  add(`${label} (deny)`, identity(allowAll, { Effect: 'Deny', Action: 's3:GetObject', Resource: '*', Condition: condition }), { conditions }, holds ? 'Deny' : 'Allow');
}

// String
cond('StringEquals', 's3:prefix', 'home/', ['home/'], true);
cond('StringEquals', 's3:prefix', 'home/', ['Home/'], false);
cond('StringEquals', 's3:prefix', 'home/', undefined, false);
cond('StringEquals', 's3:prefix', 'home/', [], false);
cond('StringEquals', 's3:prefix', ['a', 'b'], ['b'], true);
cond('StringEquals', 's3:prefix', 'a*', ['abc'], false);
cond('StringEquals', 's3:prefix', 'a*', ['a*'], true);
cond('StringEquals', 's3:prefix', '', [''], true);
cond('StringEquals', 'S3:PREFIX', 'x', ['x'], true);
cond('StringNotEquals', 's3:prefix', 'home/', ['home/'], false);
cond('StringNotEquals', 's3:prefix', 'home/', ['other'], true);
cond('StringNotEquals', 's3:prefix', 'home/', undefined, true);
cond('StringNotEquals', 's3:prefix', ['a', 'b'], ['b'], false);
cond('StringNotEquals', 's3:prefix', ['a', 'b'], ['c'], true);
cond('StringEqualsIgnoreCase', 's3:prefix', 'HOME/', ['home/'], true);
cond('StringEqualsIgnoreCase', 's3:prefix', 'HOME/', ['house/'], false);
cond('StringEqualsIgnoreCase', 's3:prefix', 'HOME/', undefined, false);
cond('StringNotEqualsIgnoreCase', 's3:prefix', 'HOME/', ['home/'], false);
cond('StringNotEqualsIgnoreCase', 's3:prefix', 'HOME/', ['x'], true);
cond('StringNotEqualsIgnoreCase', 's3:prefix', 'HOME/', undefined, true);
cond('StringLike', 's3:prefix', 'home/*', ['home/a/b'], true);
cond('StringLike', 's3:prefix', 'home/*', ['Home/a'], false);
cond('StringLike', 's3:prefix', 'home/?', ['home/a'], true);
cond('StringLike', 's3:prefix', 'home/?', ['home/ab'], false);
cond('StringLike', 's3:prefix', 'home/*', undefined, false);
cond('StringLike', 's3:prefix', ['', 'home/*'], [''], true);
cond('StringNotLike', 's3:prefix', 'home/*', ['pub/x'], true);
cond('StringNotLike', 's3:prefix', 'home/*', ['home/x'], false);
cond('StringNotLike', 's3:prefix', 'home/*', undefined, true);
cond('StringEqualsIfExists', 's3:prefix', 'home/', undefined, true);
cond('StringEqualsIfExists', 's3:prefix', 'home/', ['nope'], false);
cond('StringEqualsIfExists', 's3:prefix', 'home/', ['home/'], true);
cond('StringLikeIfExists', 's3:prefix', 'h*', undefined, true);
cond('StringNotEqualsIfExists', 's3:prefix', 'x', undefined, true);
cond('StringNotLikeIfExists', 's3:prefix', 'h*', ['hi'], false);
cond('StringEquals', 's3:ExistingObjectTag/Project', 'apollo', ['apollo'], true);
cond('StringEquals', 's3:ExistingObjectTag/Project', 'apollo', undefined, false, { 's3:existingobjecttag/project': ['apollo'] });
cond('StringEquals', 'S3:EXISTINGOBJECTTAG/Project', 'apollo', ['apollo'], true);
cond('StringEquals', 'aws:PrincipalType', 'Anonymous', ['Anonymous'], true);
cond('StringEquals', 'jwt:groups', 'admins', ['users', 'admins'], true);
cond('StringEquals', 'ldap:username', 'carol', ['dave'], false);
// Numeric
cond('NumericEquals', 's3:max-keys', '10', ['10'], true);
cond('NumericEquals', 's3:max-keys', '10', ['10.0'], true);
cond('NumericEquals', 's3:max-keys', 10, ['10'], true);
cond('NumericEquals', 's3:max-keys', '10', ['11'], false);
cond('NumericEquals', 's3:max-keys', '10', undefined, false);
cond('NumericEquals', 's3:max-keys', '10', ['ten'], false);
cond('NumericNotEquals', 's3:max-keys', '10', ['10'], false);
cond('NumericNotEquals', 's3:max-keys', '10', ['11'], true);
cond('NumericNotEquals', 's3:max-keys', '10', undefined, true);
cond('NumericNotEquals', 's3:max-keys', '10', ['ten'], true);
cond('NumericLessThan', 's3:max-keys', '10', ['9'], true);
cond('NumericLessThan', 's3:max-keys', '10', ['10'], false);
cond('NumericLessThan', 's3:max-keys', '2.5', ['2.4'], true);
cond('NumericLessThan', 's3:max-keys', '-1', ['-2'], true);
cond('NumericLessThanEquals', 's3:max-keys', '10', ['10'], true);
cond('NumericLessThanEquals', 's3:max-keys', '10', ['11'], false);
cond('NumericGreaterThan', 's3:max-keys', '10', ['11'], true);
cond('NumericGreaterThan', 's3:max-keys', '10', ['10'], false);
cond('NumericGreaterThanEquals', 's3:max-keys', '10', ['10'], true);
cond('NumericGreaterThanEquals', 's3:max-keys', '10', ['9'], false);
cond('NumericLessThanIfExists', 's3:max-keys', '100', undefined, true);
cond('NumericLessThanIfExists', 's3:max-keys', '100', ['1000'], false);
cond('NumericGreaterThan', 's3:max-keys', '100', undefined, false);
cond('NumericLessThanEquals', 'sts:DurationSeconds', 3600, ['3600'], true);
// Date
cond('DateLessThan', 'aws:CurrentTime', '2030-01-01T00:00:00Z', ['2024-05-01T00:00:00Z'], true);
cond('DateLessThan', 'aws:CurrentTime', '2030-01-01T00:00:00Z', ['2031-01-01T00:00:00Z'], false);
cond('DateLessThan', 'aws:CurrentTime', '2030-01-01T00:00:00Z', undefined, false);
cond('DateLessThan', 'aws:CurrentTime', '2030-01-01T00:00:00Z', ['yesterday'], false);
cond('DateLessThan', 'aws:CurrentTime', 1893456000, ['2024-05-01T00:00:00Z'], true);
cond('DateLessThan', 'aws:CurrentTime', '1893456000', ['2031-05-01T00:00:00Z'], false);
cond('DateGreaterThan', 'aws:CurrentTime', '2020-01-01', ['2024-05-01T00:00:00Z'], true);
cond('DateGreaterThan', 'aws:CurrentTime', '2020-01-01', ['2019-12-31T23:59:59Z'], false);
cond('DateGreaterThan', 'aws:EpochTime', '2023-01-01T00:00:00Z', ['1700000000'], true);
cond('DateGreaterThan', 'aws:EpochTime', '2024-01-01T00:00:00Z', ['1700000000'], false);
cond('DateEquals', 'aws:CurrentTime', '2024-05-01T12:00:00Z', ['2024-05-01T14:00:00+02:00'], true);
cond('DateEquals', 'aws:CurrentTime', '2024-05-01T12:00:00Z', ['2024-05-01T12:00:01Z'], false);
cond('DateNotEquals', 'aws:CurrentTime', '2024-05-01T12:00:00Z', ['2024-05-01T12:00:00Z'], false);
cond('DateNotEquals', 'aws:CurrentTime', '2024-05-01T12:00:00Z', ['2024-05-02T12:00:00Z'], true);
cond('DateNotEquals', 'aws:CurrentTime', '2024-05-01T12:00:00Z', undefined, true);
cond('DateLessThanEquals', 'aws:CurrentTime', '2024-05-01T12:00:00Z', ['2024-05-01T12:00:00Z'], true);
cond('DateLessThanEquals', 'aws:CurrentTime', '2024-05-01T12:00:00Z', ['2024-05-01T12:00:00.001Z'], false);
cond('DateGreaterThanEquals', 'aws:CurrentTime', '2024-05-01T12:00:00Z', ['2024-05-01T12:00:00Z'], true);
cond('DateGreaterThanEquals', 'aws:CurrentTime', '2024-05-01T12:00:00Z', ['2024-05-01T11:59:59Z'], false);
cond('DateGreaterThan', 'aws:CurrentTime', '2024-05-01T12:00:00Z', ['2024-05-01T12:00:00.500Z'], true);
cond('DateLessThanIfExists', 'aws:CurrentTime', '2000-01-01T00:00:00Z', undefined, true);
cond('DateLessThanIfExists', 'aws:CurrentTime', '2000-01-01T00:00:00Z', ['2024-01-01T00:00:00Z'], false);
// Bool
cond('Bool', 'aws:SecureTransport', 'true', ['true'], true);
cond('Bool', 'aws:SecureTransport', 'true', ['false'], false);
cond('Bool', 'aws:SecureTransport', 'true', undefined, false);
cond('Bool', 'aws:SecureTransport', 'true', ['TRUE'], true);
cond('Bool', 'aws:SecureTransport', true, ['true'], true);
cond('Bool', 'aws:SecureTransport', 'false', ['false'], true);
cond('Bool', 'aws:SecureTransport', 'false', ['yes'], false);
cond('BoolIfExists', 'aws:MultiFactorAuthPresent', 'true', undefined, true);
cond('BoolIfExists', 'aws:MultiFactorAuthPresent', 'true', ['false'], false);
// Binary
cond('BinaryEquals', 's3:x-amz-content-sha256', 'aGVsbG8=', ['aGVsbG8='], true);
cond('BinaryEquals', 's3:x-amz-content-sha256', 'aGVsbG8=', ['d29ybGQ='], false);
cond('BinaryEquals', 's3:x-amz-content-sha256', 'aGVsbG8=', ['hello'], false);
cond('BinaryEquals', 's3:x-amz-content-sha256', 'aGVsbG8=', undefined, false);
cond('BinaryEqualsIfExists', 's3:x-amz-content-sha256', 'aGVsbG8=', undefined, true);
// IP addresses
cond('IpAddress', 'aws:SourceIp', '192.0.2.0/24', ['192.0.2.55'], true);
cond('IpAddress', 'aws:SourceIp', '192.0.2.0/24', ['192.0.3.1'], false);
cond('IpAddress', 'aws:SourceIp', '192.0.2.0/24', undefined, false);
cond('IpAddress', 'aws:SourceIp', ['10.0.0.0/8', '192.0.2.0/24'], ['10.9.9.9'], true);
cond('IpAddress', 'aws:SourceIp', '203.0.113.7', ['203.0.113.7'], true);
cond('IpAddress', 'aws:SourceIp', '203.0.113.7', ['203.0.113.8'], false);
cond('IpAddress', 'aws:SourceIp', '0.0.0.0/0', ['8.8.8.8'], true);
cond('IpAddress', 'aws:SourceIp', '192.0.2.0/24', ['::ffff:192.0.2.9'], true);
cond('IpAddress', 'aws:SourceIp', '2001:db8::/32', ['2001:db8:1::5'], true);
cond('IpAddress', 'aws:SourceIp', '2001:db8::/32', ['2001:db9::1'], false);
cond('IpAddress', 'aws:SourceIp', '2001:db8::/32', ['192.0.2.1'], false);
cond('IpAddress', 'aws:SourceIp', '::1', ['::1'], true);
cond('IpAddress', 'aws:SourceIp', '192.0.2.0/24', ['not-an-ip'], false);
cond('IpAddress', 'aws:SourceIp', '10.1.2.3/8', ['10.200.0.1'], true);
cond('NotIpAddress', 'aws:SourceIp', '192.0.2.0/24', ['192.0.2.1'], false);
cond('NotIpAddress', 'aws:SourceIp', '192.0.2.0/24', ['198.51.100.1'], true);
cond('NotIpAddress', 'aws:SourceIp', '192.0.2.0/24', undefined, true);
cond('NotIpAddress', 'aws:SourceIp', '192.0.2.0/24', ['not-an-ip'], true);
cond('NotIpAddress', 'aws:SourceIp', ['10.0.0.0/8', '2001:db8::/32'], ['2001:db8::7'], false);
cond('IpAddressIfExists', 'aws:SourceIp', '192.0.2.0/24', undefined, true);
cond('NotIpAddressIfExists', 'aws:SourceIp', '192.0.2.0/24', ['192.0.2.1'], false);
// ARNs
cond('ArnEquals', 'aws:PrincipalArn', 'arn:aws:iam:::user/alice', ['arn:aws:iam:::user/alice'], true);
cond('ArnEquals', 'aws:PrincipalArn', 'arn:aws:iam:::user/alice', ['arn:aws:iam:::user/bob'], false);
cond('ArnEquals', 'aws:PrincipalArn', 'arn:aws:iam:::user/alice', ['alice'], false);
cond('ArnLike', 'aws:PrincipalArn', 'arn:aws:iam:::user/*', ['arn:aws:iam:::user/alice'], true);
cond('ArnLike', 'aws:PrincipalArn', 'arn:aws:iam::*:user/alice', ['arn:aws:iam::123456789012:user/alice'], true);
cond('ArnLike', 'aws:PrincipalArn', 'arn:*:iam:::user/alice', ['arn:aws:iam:::user/alice'], true);
cond('ArnLike', 'aws:PrincipalArn', 'arn:aws:*:::user/alice', ['arn:aws:iam:x:::user/alice'], false); // * stays within its part
cond('ArnLike', 'aws:PrincipalArn', 'arn:aws:iam:::*', ['arn:aws:iam:::user/a:b'], true);
cond('ArnLike', 'aws:PrincipalArn', 'arn:aws:i?m:::user/alice', ['arn:aws:iam:::user/alice'], true);
cond('ArnLike', 'aws:PrincipalArn', 'arn:aws:iam:::user/*', undefined, false);
cond('ArnNotEquals', 'aws:PrincipalArn', 'arn:aws:iam:::user/alice', ['arn:aws:iam:::user/alice'], false);
cond('ArnNotEquals', 'aws:PrincipalArn', 'arn:aws:iam:::user/alice', ['arn:aws:iam:::user/bob'], true);
cond('ArnNotEquals', 'aws:PrincipalArn', 'arn:aws:iam:::user/alice', undefined, true);
cond('ArnNotLike', 'aws:PrincipalArn', 'arn:aws:iam:::user/adm-*', ['arn:aws:iam:::user/adm-x'], false);
cond('ArnNotLike', 'aws:PrincipalArn', 'arn:aws:iam:::user/adm-*', ['arn:aws:iam:::user/x'], true);
cond('ArnNotLike', 'aws:PrincipalArn', 'arn:aws:iam:::user/adm-*', undefined, true);
cond('ArnLikeIfExists', 'aws:PrincipalArn', 'arn:aws:iam:::user/*', undefined, true);
cond('ArnEquals', 'aws:PrincipalArn', 'arn:aws:iam:::user/${aws:username}', ['arn:aws:iam:::user/alice'], true, { 'aws:username': ['alice'] });
cond('ArnEquals', 'aws:PrincipalArn', 'arn:aws:iam:::user/${aws:username}', ['arn:aws:iam:::user/alice'], false, { 'aws:username': ['bob'] });
// Null
cond('Null', 's3:x-amz-server-side-encryption', 'true', undefined, true);
cond('Null', 's3:x-amz-server-side-encryption', 'true', ['AES256'], false);
cond('Null', 's3:x-amz-server-side-encryption', 'false', undefined, false);
cond('Null', 's3:x-amz-server-side-encryption', 'false', ['AES256'], true);
cond('Null', 's3:x-amz-server-side-encryption', true, [], true);
cond('Null', 's3:x-amz-server-side-encryption', false, [''], true);
// Set operators on multivalued keys
cond('ForAllValues:StringEquals', 's3:RequestObjectTagKeys', ['a', 'b'], ['a'], true);
cond('ForAllValues:StringEquals', 's3:RequestObjectTagKeys', ['a', 'b'], ['a', 'b'], true);
cond('ForAllValues:StringEquals', 's3:RequestObjectTagKeys', ['a', 'b'], ['a', 'c'], false);
cond('ForAllValues:StringEquals', 's3:RequestObjectTagKeys', ['a', 'b'], undefined, true);
cond('ForAllValues:StringEquals', 's3:RequestObjectTagKeys', ['a', 'b'], [], true);
cond('ForAnyValue:StringEquals', 's3:RequestObjectTagKeys', ['a', 'b'], ['c', 'b'], true);
cond('ForAnyValue:StringEquals', 's3:RequestObjectTagKeys', ['a', 'b'], ['c'], false);
cond('ForAnyValue:StringEquals', 's3:RequestObjectTagKeys', ['a', 'b'], undefined, false);
cond('ForAnyValue:StringEquals', 's3:RequestObjectTagKeys', ['a', 'b'], [], false);
cond('ForAnyValue:StringEqualsIfExists', 's3:RequestObjectTagKeys', ['a'], undefined, true);
cond('ForAllValues:StringEqualsIfExists', 's3:RequestObjectTagKeys', ['a'], ['b'], false);
cond('ForAnyValue:StringLike', 'aws:groups', 'adm*', ['users', 'admins'], true);
cond('ForAnyValue:StringLike', 'aws:groups', 'adm*', ['users'], false);
cond('ForAllValues:StringLike', 'aws:groups', 'team-*', ['team-a', 'team-b'], true);
cond('ForAllValues:StringLike', 'aws:groups', 'team-*', ['team-a', 'x'], false);
cond('ForAnyValue:StringNotEquals', 'aws:groups', 'a', ['a', 'b'], true);
cond('ForAnyValue:StringNotEquals', 'aws:groups', 'a', ['a'], false);
cond('ForAnyValue:StringNotEquals', 'aws:groups', 'a', undefined, false);
cond('ForAllValues:StringNotEquals', 'aws:groups', 'a', ['b', 'c'], true);
cond('ForAllValues:StringNotEquals', 'aws:groups', 'a', ['b', 'a'], false);
cond('ForAllValues:StringNotEquals', 'aws:groups', 'a', undefined, true);
cond('StringEquals', 'aws:groups', 'a', ['x', 'a'], true);
cond('StringNotEquals', 'aws:groups', 'a', ['x', 'a'], false);
cond('ForAllValues:NumericLessThan', 's3:max-keys', 10, ['1', '2'], true);
cond('ForAllValues:NumericLessThan', 's3:max-keys', 10, ['1', '20'], false);
cond('ForAnyValue:IpAddress', 'aws:SourceIp', '10.0.0.0/8', ['192.0.2.1', '10.0.0.1'], true);
cond('ForAllValues:Null', 's3:prefix', 'true', undefined, true);

// Several conditions: all must hold.
{
  const two = identity({
    Effect: 'Allow', Action: 's3:ListBucket', Resource: 'arn:aws:s3:::b',
    Condition: { StringEquals: { 's3:prefix': 'pub/', 's3:delimiter': '/' }, NumericLessThanEquals: { 's3:max-keys': '100' } },
  });
  const r = { action: 's3:ListBucket', resource: 'arn:aws:s3:::b' };
  add('all conditions hold', two, { ...r, conditions: { 's3:prefix': ['pub/'], 's3:delimiter': ['/'], 's3:max-keys': ['50'] } }, 'Allow');
  add('one key under one operator fails', two, { ...r, conditions: { 's3:prefix': ['pub/'], 's3:delimiter': ['-'], 's3:max-keys': ['50'] } }, 'None');
  add('the second operator fails', two, { ...r, conditions: { 's3:prefix': ['pub/'], 's3:delimiter': ['/'], 's3:max-keys': ['500'] } }, 'None');
  add('a key missing for a positive operator fails', two, { ...r, conditions: { 's3:prefix': ['pub/'], 's3:max-keys': ['50'] } }, 'None');
}

// ---- principals (bucket policies) ------------------------------------------------------

{
  const pub = bucketPolicy({ Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: 'arn:aws:s3:::b/*' });
  add('Principal "*" admits anonymous', pub, { principal: ANON }, 'Allow');
  add('Principal "*" admits users', pub, { principal: BOB }, 'Allow');
  const aws = bucketPolicy({ Effect: 'Allow', Principal: { AWS: '*' }, Action: 's3:GetObject', Resource: 'arn:aws:s3:::b/*' });
  add('Principal {"AWS":"*"} admits anonymous', aws, { principal: ANON }, 'Allow');
  const named = bucketPolicy({ Effect: 'Allow', Principal: { AWS: ['arn:aws:iam:::user/alice', 'arn:aws:iam::123456789012:user/carol'] }, Action: 's3:GetObject', Resource: 'arn:aws:s3:::b/*' });
  add('a named user is admitted', named, { principal: ALICE }, 'Allow');
  add('a user named with an account id is admitted', named, { principal: { anonymous: false, arn: 'arn:aws:iam:::user/carol', username: 'carol' } }, 'Allow');
  add('another user is not', named, { principal: BOB }, 'None');
  add('anonymous is not a named user', named, { principal: ANON }, 'None');
  const notP = bucketPolicy({ Effect: 'Deny', NotPrincipal: { AWS: 'arn:aws:iam:::user/alice' }, Action: 's3:*', Resource: 'arn:aws:s3:::b/*' });
  add('NotPrincipal: others are denied', notP, { principal: BOB }, 'Deny');
  add('NotPrincipal: anonymous is denied', notP, { principal: ANON }, 'Deny');
  add('NotPrincipal: the named user is not', notP, { principal: ALICE }, 'None');
  add('NotPrincipal "*" applies to nobody', bucketPolicy({ Effect: 'Deny', NotPrincipal: '*', Action: 's3:*', Resource: 'arn:aws:s3:::b/*' }), { principal: BOB }, 'None');
  add('a bucket policy never speaks for another bucket', pub, { principal: ANON, resource: 'arn:aws:s3:::other/k' }, 'None');
  add('a bucket policy does not speak for account-wide requests', bucketPolicy({ Effect: 'Allow', Principal: '*', Action: 's3:*', NotResource: 'arn:aws:s3:::b/private/*' }), { action: 's3:ListAllMyBuckets', resource: 'arn:aws:s3:::*' }, 'None');
  const tls = bucketPolicy({ Effect: 'Deny', Principal: '*', Action: 's3:*', Resource: ['arn:aws:s3:::b', 'arn:aws:s3:::b/*'], Condition: { Bool: { 'aws:SecureTransport': 'false' } } });
  add('deny plain HTTP to everyone', tls, { principal: ALICE, conditions: { 'aws:securetransport': ['false'] } }, 'Deny');
  add('TLS passes the deny', tls, { principal: ALICE, conditions: { 'aws:securetransport': ['true'] } }, 'None');
  const ip = bucketPolicy({ Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: 'arn:aws:s3:::b/*', Condition: { IpAddress: { 'aws:SourceIp': '192.0.2.0/24' } } });
  add('anonymous from the allowed network', ip, { principal: ANON, conditions: { 'aws:sourceip': ['192.0.2.10'] } }, 'Allow');
  add('anonymous from elsewhere', ip, { principal: ANON, conditions: { 'aws:sourceip': ['198.51.100.10'] } }, 'None');
}

describe('evaluatePolicy', () => {
  it(`has at least 200 table cases (${CASES.length})`, () => assert.ok(CASES.length >= 200));
  for (const c of CASES) {
    it(c.name, () => assert.equal(evaluatePolicy(c.policy, c.req).effect, c.want));
  }

  it('reports the deciding statement, its Sid and the policy name', () => {
    const p = parsePolicy(
      { Version: '2012-10-17', Statement: [{ Sid: 'Read', Effect: 'Allow', Action: 's3:*', Resource: '*' }, { Effect: 'Allow', Action: 's3:GetObject', Resource: '*' }, { Sid: 'NoDelete', Effect: 'Deny', Action: 's3:DeleteObject', Resource: '*' }] },
      'identity',
      { name: 'team' },
    );
    assert.deepEqual(evaluatePolicy(p, req()), { effect: 'Allow', policy: 'team', sid: 'Read', statement: 0 });
    assert.deepEqual(evaluatePolicy(p, req({ action: 's3:DeleteObject' })), { effect: 'Deny', policy: 'team', sid: 'NoDelete', statement: 2 });
    assert.deepEqual(evaluatePolicy(p, req({ action: 'admin:Heal' })), { effect: 'None' });
  });

  it('names a policy (inline) by default', () => {
    const p = parsePolicy({ Version: '2012-10-17', Statement: allowAll }, 'identity');
    assert.deepEqual(evaluatePolicy(p, req()), { effect: 'Allow', policy: '(inline)', statement: 0 });
  });

  it('never throws, even on a damaged policy object', () => {
    const broken = { name: 'x', kind: 'identity', statements: [{ effect: 'Deny', action: null }] } as unknown as Policy;
    assert.equal(evaluatePolicy(broken, req()).effect, 'Deny');
    const brokenAllow = { name: 'x', kind: 'identity', statements: [{ effect: 'Allow', action: null }] } as unknown as Policy;
    assert.equal(evaluatePolicy(brokenAllow, req()).effect, 'None');
    assert.equal(evaluatePolicy(null as unknown as Policy, req()).effect, 'Deny');
  });
});

describe('actions', () => {
  it('knows the S3, admin and STS actions, case-insensitively', () => {
    for (const a of ['s3:GetObject', 's3:PutObject', 's3:ListBucket', 's3:ListAllMyBuckets', 's3:GetBucketLocation', 's3:CreateBucket', 's3:DeleteBucket', 's3:DeleteObject', 's3:GetObjectTagging', 's3:PutObjectTagging', 's3:DeleteObjectTagging', 's3:GetObjectAttributes', 's3:ListMultipartUploadParts', 's3:ListBucketMultipartUploads', 's3:AbortMultipartUpload', 's3:GetBucketPolicy', 's3:PutBucketPolicy', 's3:DeleteBucketPolicy', 's3:GetBucketPolicyStatus', 's3:GetObjectVersion', 'admin:CreateUser', 'admin:DeleteUser', 'admin:ListUsers', 'admin:GetUser', 'admin:EnableUser', 'admin:DisableUser', 'admin:CreatePolicy', 'admin:DeletePolicy', 'admin:GetPolicy', 'admin:ListUserPolicies', 'admin:AttachUserOrGroupPolicy', 'admin:AddUserToGroup', 'admin:RemoveUserFromGroup', 'admin:GetGroup', 'admin:ListGroups', 'admin:EnableGroup', 'admin:DisableGroup', 'admin:CreateServiceAccount', 'admin:UpdateServiceAccount', 'admin:RemoveServiceAccount', 'admin:ListServiceAccounts', 'admin:ServerInfo', 'admin:StorageInfo', 'admin:Heal', 'admin:Prometheus', 'admin:ConfigUpdate', 'sts:AssumeRole', 'sts:AssumeRoleWithWebIdentity', 'S3:GETOBJECT']) {
      assert.ok(isKnownAction(a), a);
    }
    for (const a of ['s3:HeadBucket', 's3:GetObjekt', 's3:*', 'ec2:RunInstances', '']) assert.ok(!isKnownAction(a), a);
  });

  it('matches patterns case-insensitively with * and ?', () => {
    assert.ok(actionMatches('s3:get*', 's3:GetObject'));
    assert.ok(actionMatches('S3:?ETOBJECT', 's3:getobject'));
    assert.ok(!actionMatches('s3:Get*', 's3:PutObject'));
    assert.ok(actionsMatching('s3:*Tagging').includes('s3:PutObjectTagging'));
    assert.deepEqual(actionsMatching('sts:*'), ['sts:AssumeRole', 'sts:AssumeRoleWithWebIdentity', 'sts:AssumeRoleWithClientGrants', 'sts:AssumeRoleWithLDAPIdentity', 'sts:AssumeRoleWithCertificate', 'sts:AssumeRoleWithCustomToken']);
  });
});

// ---- decide(): several policies together ------------------------------------------------

const fullS3 = identity({ Effect: 'Allow', Action: 's3:*', Resource: '*' });
const readOnly = parsePolicy({ Version: '2012-10-17', Statement: { Effect: 'Allow', Action: 's3:GetObject', Resource: '*' } }, 'identity', { name: 'ro' });
const noDelete = parsePolicy({ Version: '2012-10-17', Statement: { Sid: 'NoDelete', Effect: 'Deny', Action: 's3:DeleteObject', Resource: '*' } }, 'identity', { name: 'nodelete' });
const nothing = parsePolicy({ Version: '2012-10-17', Statement: { Effect: 'Allow', Action: 's3:ListBucket', Resource: 'arn:aws:s3:::zzz' } }, 'identity', { name: 'nothing' });
const bucketRead = bucketPolicy({ Sid: 'Public', Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: 'arn:aws:s3:::b/*' });
const bucketAlice = bucketPolicy({ Effect: 'Allow', Principal: { AWS: 'arn:aws:iam:::user/alice' }, Action: 's3:PutObject', Resource: 'arn:aws:s3:::b/*' });
const bucketDeny = bucketPolicy({ Sid: 'Lock', Effect: 'Deny', Principal: '*', Action: 's3:DeleteObject', Resource: 'arn:aws:s3:::b/*' });

interface DecideCase {
  name: string;
  input: DecideInput;
  req: Partial<RequestContext>;
  allowed: boolean;
  by?: { policy: string; statement: number; effect: 'Allow' | 'Deny'; sid?: string };
  reason: RegExp;
}

const DECIDE: DecideCase[] = [
  { name: 'an identity allow allows', input: { identity: [fullS3] }, req: {}, allowed: true, by: { policy: 'p', statement: 0, effect: 'Allow' }, reason: /^Allowed: Statement\[0\] of policy "p" allows s3:GetObject on arn:aws:s3:::b\/k\.$/ },
  { name: 'no policies: implicit deny', input: { identity: [] }, req: {}, allowed: false, reason: /^Denied: no policy allows s3:GetObject on arn:aws:s3:::b\/k\.$/ },
  { name: 'no applicable statement: implicit deny', input: { identity: [nothing] }, req: {}, allowed: false, reason: /no policy allows/ },
  { name: 'a deny in another identity policy wins', input: { identity: [fullS3, noDelete] }, req: { action: 's3:DeleteObject' }, allowed: false, by: { policy: 'nodelete', statement: 0, effect: 'Deny', sid: 'NoDelete' }, reason: /explicitly denies s3:DeleteObject/ },
  { name: 'a bucket deny beats an identity allow', input: { identity: [fullS3], bucket: bucketDeny }, req: { action: 's3:DeleteObject' }, allowed: false, by: { policy: 'bp', statement: 0, effect: 'Deny', sid: 'Lock' }, reason: /Sid "Lock"/ },
  { name: 'a bucket allow suffices without identity allow', input: { identity: [nothing], bucket: bucketAlice }, req: { action: 's3:PutObject' }, allowed: true, by: { policy: 'bp', statement: 0, effect: 'Allow' }, reason: /^Allowed/ },
  { name: 'a bucket allow for alice does not admit bob', input: { identity: [nothing], bucket: bucketAlice }, req: { action: 's3:PutObject', principal: BOB }, allowed: false, reason: /no policy allows/ },
  { name: 'anonymous with a public-read bucket policy', input: { identity: [], bucket: bucketRead }, req: { principal: ANON }, allowed: true, by: { policy: 'bp', statement: 0, effect: 'Allow', sid: 'Public' }, reason: /Sid "Public"/ },
  { name: 'anonymous writes are not public-read', input: { identity: [], bucket: bucketRead }, req: { principal: ANON, action: 's3:PutObject' }, allowed: false, reason: /no policy allows s3:PutObject/ },
  { name: 'anonymous without a bucket policy', input: { identity: [] }, req: { principal: ANON }, allowed: false, reason: /no policy allows/ },
  { name: 'the identity allow is reported before the bucket allow', input: { identity: [readOnly], bucket: bucketRead }, req: {}, allowed: true, by: { policy: 'ro', statement: 0, effect: 'Allow' }, reason: /policy "ro"/ },
  { name: 'intersect group allows too: allowed', input: { identity: [fullS3], intersect: [[readOnly]] }, req: {}, allowed: true, by: { policy: 'p', statement: 0, effect: 'Allow' }, reason: /^Allowed/ },
  { name: 'intersect group does not allow: denied', input: { identity: [fullS3], intersect: [[readOnly]] }, req: { action: 's3:PutObject' }, allowed: false, reason: /but the restricting policy "ro" does not/ },
  { name: 'intersect group denies: explicit deny', input: { identity: [fullS3], intersect: [[noDelete]] }, req: { action: 's3:DeleteObject' }, allowed: false, by: { policy: 'nodelete', statement: 0, effect: 'Deny', sid: 'NoDelete' }, reason: /explicitly denies/ },
  { name: 'intersect allows but identity does not: denied', input: { identity: [nothing], intersect: [[fullS3]] }, req: {}, allowed: false, reason: /no policy allows/ },
  { name: 'one policy of a group suffices', input: { identity: [fullS3], intersect: [[nothing, readOnly]] }, req: {}, allowed: true, reason: /^Allowed/ },
  { name: 'every group must allow', input: { identity: [fullS3], intersect: [[fullS3], [nothing]] }, req: {}, allowed: false, reason: /restricting policy "nothing" does not/ },
  { name: 'several policies in the failing group are named', input: { identity: [fullS3], intersect: [[nothing, nothing]] }, req: {}, allowed: false, reason: /none of the restricting policies "nothing", "nothing" does/ },
  { name: 'an empty intersect group allows nothing', input: { identity: [fullS3], intersect: [[]] }, req: {}, allowed: false, reason: /empty restricting policy group/ },
  { name: 'no intersect groups: identity decides', input: { identity: [fullS3], intersect: [] }, req: {}, allowed: true, reason: /^Allowed/ },
  { name: 'a bucket allow is narrowed by intersect groups too', input: { identity: [], bucket: bucketRead, intersect: [[nothing]] }, req: { principal: ANON }, allowed: false, reason: /restricting policy "nothing"/ },
  { name: 'a bucket deny beats an intersect allow', input: { identity: [fullS3], bucket: bucketDeny, intersect: [[fullS3]] }, req: { action: 's3:DeleteObject' }, allowed: false, by: { policy: 'bp', statement: 0, effect: 'Deny', sid: 'Lock' }, reason: /explicitly denies/ },
  { name: 'builtin readonly reads', input: { identity: [BUILTIN_POLICIES.get('readonly')!] }, req: {}, allowed: true, reason: /policy "readonly"/ },
  { name: 'builtin readonly does not write', input: { identity: [BUILTIN_POLICIES.get('readonly')!] }, req: { action: 's3:PutObject' }, allowed: false, reason: /no policy allows/ },
  { name: 'builtin readonly does not list (as in MinIO)', input: { identity: [BUILTIN_POLICIES.get('readonly')!] }, req: { action: 's3:ListBucket', resource: 'arn:aws:s3:::b' }, allowed: false, reason: /no policy allows/ },
  { name: 'builtin readonly gets the bucket location', input: { identity: [BUILTIN_POLICIES.get('readonly')!] }, req: { action: 's3:GetBucketLocation', resource: 'arn:aws:s3:::b' }, allowed: true, reason: /^Allowed/ },
  { name: 'builtin writeonly writes', input: { identity: [BUILTIN_POLICIES.get('writeonly')!] }, req: { action: 's3:PutObject' }, allowed: true, reason: /policy "writeonly"/ },
  { name: 'builtin writeonly does not read', input: { identity: [BUILTIN_POLICIES.get('writeonly')!] }, req: {}, allowed: false, reason: /no policy allows/ },
  { name: 'builtin readwrite deletes buckets', input: { identity: [BUILTIN_POLICIES.get('readwrite')!] }, req: { action: 's3:DeleteBucket', resource: 'arn:aws:s3:::b' }, allowed: true, reason: /^Allowed/ },
  { name: 'builtin readwrite is not admin', input: { identity: [BUILTIN_POLICIES.get('readwrite')!] }, req: { action: 'admin:CreateUser', resource: 'arn:aws:s3:::*' }, allowed: false, reason: /no policy allows/ },
  { name: 'builtin consoleAdmin administers', input: { identity: [BUILTIN_POLICIES.get('consoleAdmin')!] }, req: { action: 'admin:CreateUser', resource: 'arn:aws:s3:::*' }, allowed: true, reason: /policy "consoleAdmin"/ },
  { name: 'builtin consoleAdmin uses S3', input: { identity: [BUILTIN_POLICIES.get('consoleAdmin')!] }, req: { action: 's3:ListAllMyBuckets', resource: 'arn:aws:s3:::*' }, allowed: true, reason: /^Allowed/ },
  { name: 'builtin diagnostics reads metrics', input: { identity: [BUILTIN_POLICIES.get('diagnostics')!] }, req: { action: 'admin:Prometheus', resource: 'arn:aws:s3:::*' }, allowed: true, reason: /policy "diagnostics"/ },
  { name: 'builtin diagnostics does not manage users', input: { identity: [BUILTIN_POLICIES.get('diagnostics')!] }, req: { action: 'admin:CreateUser', resource: 'arn:aws:s3:::*' }, allowed: false, reason: /no policy allows/ },
  { name: 'builtin diagnostics does not read objects', input: { identity: [BUILTIN_POLICIES.get('diagnostics')!] }, req: {}, allowed: false, reason: /no policy allows/ },
];

describe('decide', () => {
  for (const c of DECIDE) {
    it(c.name, () => {
      const d = decide(c.input, req(c.req));
      assert.equal(d.allowed, c.allowed);
      if (c.by) assert.deepEqual(d.decidedBy, c.by);
      else if (!c.allowed) assert.equal(d.decidedBy, undefined);
      assert.match(d.reason, c.reason);
    });
  }

  it('never throws: a damaged input is refused', () => {
    const d = decide({ identity: null as unknown as Policy[] }, req());
    assert.equal(d.allowed, false);
    assert.match(d.reason, /could not be evaluated/);
  });

  it('offers the MinIO built-ins', () => {
    assert.deepEqual([...BUILTIN_POLICIES.keys()].sort(), ['consoleAdmin', 'diagnostics', 'readonly', 'readwrite', 'writeonly']);
    for (const [name, p] of BUILTIN_POLICIES) assert.equal(p.name, name);
  });
});
