import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { XMLParser } from 'fast-xml-parser';
import { createIamQueryHandler } from '../../engine/admin/iam-query/index.js';
import { Authorizer } from '../../engine/iam/authorizer.js';
import { IamService } from '../../engine/iam/iam-service.js';
import type { Identity } from '../../engine/iam/identity.js';
import type { ErasureObjectLayer } from '../../engine/object/erasure-object-layer.js';
import type { ServicePostHandler } from '../../engine/s3/s3-server.js';
import { openLayer, tempDrives } from '../helpers/drives.js';

const NS = 'https://iam.amazonaws.com/doc/2010-05-08/';
const ROOT: Identity = { type: 'root', accessKey: 'rootkey', username: 'rootkey' };
const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/;

// Lists are `<X><member>…</member></X>`: always arrays here, so one element reads like many.
const parser = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '@_', parseTagValue: false, isArray: (name) => name === 'member' });

interface Answer {
  status: number;
  body: string;
  headers: Record<string, string>;
  xml: Record<string, Record<string, unknown>>;
}

const doc = (statements: object[]) => JSON.stringify({ Version: '2012-10-17', Statement: statements });
const LIST_USERS_ONLY = doc([{ Effect: 'Allow', Action: ['admin:ListUsers'] }]);
const PHOTOS_READ = doc([{ Effect: 'Allow', Action: ['s3:GetObject'], Resource: ['arn:aws:s3:::photos/*'] }]);

describe('IAM query API (handler)', () => {
  let drives: ReturnType<typeof tempDrives>;
  let layer: ErasureObjectLayer;
  let iam: IamService;
  let handler: ServicePostHandler;

  before(async () => {
    drives = tempDrives(4, 'granary-iamq');
    layer = await openLayer(drives.drives);
    iam = await IamService.open({ configDir: join(drives.root, 'config'), store: layer, root: { accessKey: 'rootkey', secretKey: 'a-long-root-secret-123' } });
    handler = createIamQueryHandler({ iam, authorizer: new Authorizer(iam) });
  });
  after(async () => {
    await iam?.close();
    await layer?.close();
    drives?.cleanup();
  });

  async function call(identity: Identity, action: string, params: Record<string, string> = {}, service = 'iam', sourceAddress = '127.0.0.1'): Promise<Answer> {
    const form = new URLSearchParams({ Action: action, Version: '2010-05-08', ...params });
    const reply = await handler({ identity, service, form, requestId: 'REQ-1', sourceAddress });
    const body = String(reply.body);
    return { status: reply.status, body, headers: reply.headers ?? {}, xml: parser.parse(body) };
  }

  /** The `<ActionResult>` of a successful answer. */
  async function ok(identity: Identity, action: string, params: Record<string, string> = {}): Promise<Record<string, unknown>> {
    const a = await call(identity, action, params);
    assert.equal(a.status, 200, a.body);
    const response = a.xml[`${action}Response`];
    assert.ok(response, a.body);
    assert.equal(response['@_xmlns'], NS);
    assert.deepEqual(response.ResponseMetadata, { RequestId: 'REQ-1' });
    return (response[`${action}Result`] ?? {}) as Record<string, unknown>;
  }

  /** The error of a refused request, checked against its status. */
  async function fails(identity: Identity, action: string, params: Record<string, string>, status: number, code: string): Promise<string> {
    const a = await call(identity, action, params);
    assert.equal(a.status, status, a.body);
    const er = a.xml.ErrorResponse;
    assert.ok(er, a.body);
    assert.equal(er['@_xmlns'], NS);
    assert.equal(er.RequestId, 'REQ-1');
    const e = er.Error as Record<string, string>;
    assert.equal(e.Code, code, a.body);
    assert.equal(e.Type, status >= 500 ? 'Receiver' : 'Sender');
    return e.Message;
  }

  const list = (node: unknown): Record<string, unknown>[] => ((node as { member?: Record<string, unknown>[] } | '' | undefined) || {}).member ?? [];
  const keyIdentity = (accessKey: string): Identity => iam.credentials(accessKey)!.identity;

  async function newKey(user: string): Promise<{ id: string; secret: string; identity: Identity }> {
    const r = await ok(ROOT, 'CreateAccessKey', { UserName: user });
    const k = r.AccessKey as Record<string, string>;
    return { id: k.AccessKeyId, secret: k.SecretAccessKey, identity: keyIdentity(k.AccessKeyId) };
  }

  it('answers in IAM XML with the request id and text/xml', async () => {
    const a = await call(ROOT, 'ListUsers');
    assert.equal(a.status, 200);
    assert.equal(a.headers['content-type'], 'text/xml');
    assert.equal(a.headers['x-amzn-requestid'], 'REQ-1');
    assert.match(a.body, /<ListUsersResponse xmlns="https:\/\/iam\.amazonaws\.com\/doc\/2010-05-08\/"><ListUsersResult><Users><\/Users><IsTruncated>false<\/IsTruncated><\/ListUsersResult><ResponseMetadata><RequestId>REQ-1<\/RequestId><\/ResponseMetadata><\/ListUsersResponse>$/);
  });

  it('users: create, get, list, refusals', async () => {
    const created = (await ok(ROOT, 'CreateUser', { UserName: 'alice' })).User as Record<string, string>;
    assert.equal(created.Path, '/');
    assert.equal(created.UserName, 'alice');
    assert.match(created.UserId, /^AIDA[A-Z2-7]{17}$/);
    assert.equal(created.Arn, 'arn:aws:iam::000000000000:user/alice');
    assert.match(created.CreateDate, ISO);
    assert.equal(iam.getUser('alice').secretKey, undefined, 'IAM users sign with access keys only');

    const got = (await ok(ROOT, 'GetUser', { UserName: 'alice' })).User as Record<string, string>;
    assert.deepEqual(got, created);
    const users = list((await ok(ROOT, 'ListUsers')).Users);
    assert.deepEqual(users.map((u) => u.UserName), ['alice']);

    assert.match(await fails(ROOT, 'CreateUser', { UserName: 'alice' }, 409, 'EntityAlreadyExists'), /alice/);
    assert.match(await fails(ROOT, 'CreateUser', {}, 400, 'ValidationError'), /UserName/);
    await fails(ROOT, 'GetUser', { UserName: 'nobody' }, 404, 'NoSuchEntity');
    await fails(ROOT, 'CreateUser', { UserName: 'x y' }, 400, 'InvalidInput');
    await fails(ROOT, 'CreateUser', { UserName: 'pathy', Path: '/team/' }, 400, 'InvalidInput');
    await fails(ROOT, 'CreateUser', { UserName: 'taggy', 'Tags.member.1.Key': 'k', 'Tags.member.1.Value': 'v' }, 400, 'InvalidInput');
    await fails(ROOT, 'CreateUser', { UserName: 'bounded', PermissionsBoundary: 'arn:aws:iam::aws:policy/readonly' }, 400, 'InvalidInput');
    assert.deepEqual(iam.listUsers().map((u) => u.name), ['alice'], 'a refused request changes nothing');

    const me = (await ok(ROOT, 'GetUser')).User as Record<string, string>;
    assert.equal(me.Arn, 'arn:aws:iam::000000000000:root');
    assert.equal(me.UserId, '000000000000');
  });

  it('lists page with Marker and MaxItems', async () => {
    for (const n of ['page-1', 'page-2', 'page-3', 'page-4']) await ok(ROOT, 'CreateUser', { UserName: n });
    const seen: string[] = [];
    let marker: string | undefined;
    for (let pages = 0; ; pages++) {
      assert.ok(pages < 10);
      const r = await ok(ROOT, 'ListUsers', { MaxItems: '2', ...(marker ? { Marker: marker } : {}) });
      const names = list(r.Users).map((u) => u.UserName as string);
      assert.ok(names.length <= 2);
      seen.push(...names);
      if (r.IsTruncated === 'false') {
        assert.equal(r.Marker, undefined);
        break;
      }
      assert.equal(r.IsTruncated, 'true');
      marker = r.Marker as string;
    }
    assert.deepEqual(seen, ['alice', 'page-1', 'page-2', 'page-3', 'page-4']);
    assert.deepEqual(list((await ok(ROOT, 'ListUsers', { PathPrefix: '/other/' })).Users), []);
    assert.match(await fails(ROOT, 'ListUsers', { MaxItems: '0' }, 400, 'ValidationError'), /MaxItems/);
    for (const n of ['page-1', 'page-2', 'page-3', 'page-4']) await ok(ROOT, 'DeleteUser', { UserName: n });
  });

  it('access keys: create (secret once), list, update, delete', async () => {
    const r = await ok(ROOT, 'CreateAccessKey', { UserName: 'alice' });
    const k = r.AccessKey as Record<string, string>;
    assert.equal(k.UserName, 'alice');
    assert.equal(k.Status, 'Active');
    assert.match(k.CreateDate, ISO);
    assert.ok(k.SecretAccessKey.length >= 20);
    const creds = iam.credentials(k.AccessKeyId);
    assert.equal(creds?.secretKey, k.SecretAccessKey);
    assert.deepEqual(creds?.identity, { type: 'serviceAccount', accessKey: k.AccessKeyId, username: 'alice', parentIsRoot: false });
    assert.equal(iam.getServiceAccount(k.AccessKeyId).policy, undefined, 'a key has exactly its user\'s rights');

    const listed = await call(ROOT, 'ListAccessKeys', { UserName: 'alice' });
    assert.ok(!listed.body.includes(k.SecretAccessKey), 'ListAccessKeys never shows a secret');
    const meta = list(listed.xml.ListAccessKeysResponse.ListAccessKeysResult && (listed.xml.ListAccessKeysResponse.ListAccessKeysResult as Record<string, unknown>).AccessKeyMetadata);
    assert.deepEqual(meta, [{ UserName: 'alice', AccessKeyId: k.AccessKeyId, Status: 'Active', CreateDate: k.CreateDate }]);

    await ok(ROOT, 'UpdateAccessKey', { UserName: 'alice', AccessKeyId: k.AccessKeyId, Status: 'Inactive' });
    assert.equal(iam.credentials(k.AccessKeyId), undefined, 'an inactive key signs nothing');
    assert.equal(list((await ok(ROOT, 'ListAccessKeys', { UserName: 'alice' })).AccessKeyMetadata)[0].Status, 'Inactive');
    await ok(ROOT, 'UpdateAccessKey', { UserName: 'alice', AccessKeyId: k.AccessKeyId, Status: 'Active' });
    assert.ok(iam.credentials(k.AccessKeyId));
    assert.match(await fails(ROOT, 'UpdateAccessKey', { UserName: 'alice', AccessKeyId: k.AccessKeyId, Status: 'Paused' }, 400, 'ValidationError'), /Status/);
    assert.match(await fails(ROOT, 'UpdateAccessKey', { UserName: 'alice', AccessKeyId: k.AccessKeyId }, 400, 'ValidationError'), /Status/);

    await fails(ROOT, 'CreateAccessKey', { UserName: 'nobody' }, 404, 'NoSuchEntity');
    await fails(ROOT, 'DeleteAccessKey', { UserName: 'alice', AccessKeyId: 'GKNOSUCHKEY000000000' }, 404, 'NoSuchEntity');
    await fails(ROOT, 'DeleteAccessKey', { UserName: 'alice', AccessKeyId: 'rootkey' }, 404, 'NoSuchEntity');
    await ok(ROOT, 'DeleteAccessKey', { UserName: 'alice', AccessKeyId: k.AccessKeyId });
    assert.equal(iam.credentials(k.AccessKeyId), undefined);
    assert.deepEqual(list((await ok(ROOT, 'ListAccessKeys', { UserName: 'alice' })).AccessKeyMetadata), []);
  });

  it('root: access keys without UserName are root\'s own', async () => {
    const k = (await ok(ROOT, 'CreateAccessKey')).AccessKey as Record<string, string>;
    assert.equal(k.UserName, 'rootkey');
    assert.deepEqual(keyIdentity(k.AccessKeyId), { type: 'serviceAccount', accessKey: k.AccessKeyId, username: 'rootkey', parentIsRoot: true });
    const mine = list((await ok(ROOT, 'ListAccessKeys')).AccessKeyMetadata).map((m) => m.AccessKeyId);
    assert.deepEqual(mine, [k.AccessKeyId]);
    // Root's key acts as root: it can manage users.
    await ok(keyIdentity(k.AccessKeyId), 'ListUsers');
    await ok(ROOT, 'DeleteAccessKey', { AccessKeyId: k.AccessKeyId });
  });

  it('users manage their own access keys without admin rights, and nothing else', async () => {
    const first = await newKey('alice');
    const alice = first.identity;

    const mine = (await ok(alice, 'CreateAccessKey')).AccessKey as Record<string, string>;
    assert.equal(mine.UserName, 'alice');
    assert.ok(mine.SecretAccessKey);
    const own = list((await ok(alice, 'ListAccessKeys')).AccessKeyMetadata).map((m) => m.AccessKeyId).sort();
    assert.deepEqual(own, [first.id, mine.AccessKeyId].sort());
    assert.equal(list((await ok(alice, 'ListAccessKeys', { UserName: 'alice' })).AccessKeyMetadata).length, 2);
    await ok(alice, 'UpdateAccessKey', { AccessKeyId: mine.AccessKeyId, Status: 'Inactive' });
    await ok(alice, 'DeleteAccessKey', { AccessKeyId: mine.AccessKeyId });
    assert.equal((((await ok(alice, 'GetUser')).User) as Record<string, string>).Arn, 'arn:aws:iam::000000000000:user/alice');

    // Someone else's keys, root's keys, and admin actions are refused.
    await ok(ROOT, 'CreateUser', { UserName: 'bob' });
    const bob = await newKey('bob');
    const rootKey = (await ok(ROOT, 'CreateAccessKey')).AccessKey as Record<string, string>;
    await fails(alice, 'CreateAccessKey', { UserName: 'bob' }, 403, 'AccessDenied');
    await fails(alice, 'ListAccessKeys', { UserName: 'bob' }, 403, 'AccessDenied');
    await fails(alice, 'CreateAccessKey', { UserName: 'rootkey' }, 403, 'AccessDenied');
    await fails(alice, 'DeleteAccessKey', { AccessKeyId: bob.id }, 404, 'NoSuchEntity');
    await fails(alice, 'UpdateAccessKey', { AccessKeyId: rootKey.AccessKeyId, Status: 'Inactive' }, 404, 'NoSuchEntity');
    assert.ok(iam.credentials(bob.id) && iam.credentials(rootKey.AccessKeyId));
    assert.match(await fails(alice, 'ListUsers', {}, 403, 'AccessDenied'), /user\/alice.*iam:ListUsers.*admin:ListUsers/);
    await fails(alice, 'CreateUser', { UserName: 'mallory' }, 403, 'AccessDenied');
    await fails(alice, 'GetUser', { UserName: 'bob' }, 403, 'AccessDenied');
    await fails(alice, 'AttachUserPolicy', { UserName: 'alice', PolicyArn: 'arn:aws:iam::aws:policy/consoleAdmin' }, 403, 'AccessDenied');
    await fails(alice, 'PutUserPolicy', { UserName: 'alice', PolicyName: 'all', PolicyDocument: doc([{ Effect: 'Allow', Action: ['admin:*'] }]) }, 403, 'AccessDenied');
    assert.deepEqual(iam.getUser('alice').policies, []);
    assert.deepEqual(iam.getUser('alice').inline, {});

    // A key narrowed by an inline policy does not serve itself: it could mint a key with alice's full rights.
    const narrowed = await iam.createServiceAccount('alice', { policy: PHOTOS_READ });
    await fails(keyIdentity(narrowed.accessKey), 'CreateAccessKey', {}, 403, 'AccessDenied');
    await iam.deleteServiceAccount(narrowed.accessKey);

    // A plain user made with a secret (MinIO's kind) is "self" too.
    await iam.createUser('carol', 'Zx9!qT4#bN7@wL2s');
    const carol = iam.credentials('carol')!.identity;
    const ck = (await ok(carol, 'CreateAccessKey')).AccessKey as Record<string, string>;
    assert.equal(ck.UserName, 'carol');
    await fails(carol, 'ListGroups', {}, 403, 'AccessDenied');

    await ok(ROOT, 'DeleteAccessKey', { AccessKeyId: rootKey.AccessKeyId });
    await ok(ROOT, 'DeleteAccessKey', { UserName: 'bob', AccessKeyId: bob.id });
    await ok(ROOT, 'DeleteAccessKey', { UserName: 'carol', AccessKeyId: ck.AccessKeyId });
    await ok(ROOT, 'DeleteUser', { UserName: 'bob' });
    await ok(ROOT, 'DeleteUser', { UserName: 'carol' });
  });

  it('admin rights come from policies, and conditions see the source address', async () => {
    await ok(ROOT, 'CreateUser', { UserName: 'ops' });
    const ops = (await newKey('ops')).identity;
    await fails(ops, 'ListUsers', {}, 403, 'AccessDenied');
    await ok(ROOT, 'PutUserPolicy', { UserName: 'ops', PolicyName: 'list-users', PolicyDocument: LIST_USERS_ONLY });
    await ok(ops, 'ListUsers');
    await fails(ops, 'CreateUser', { UserName: 'ops2' }, 403, 'AccessDenied');
    await ok(ROOT, 'DeleteUserPolicy', { UserName: 'ops', PolicyName: 'list-users' });

    await ok(ROOT, 'AttachUserPolicy', { UserName: 'ops', PolicyArn: 'arn:aws:iam::aws:policy/consoleAdmin' });
    await ok(ops, 'CreateUser', { UserName: 'ops2' });
    // An admin that is not root still cannot reach root's keys by naming root.
    await fails(ops, 'CreateAccessKey', { UserName: 'rootkey' }, 404, 'NoSuchEntity');
    await fails(ops, 'ListAccessKeys', { UserName: 'rootkey' }, 404, 'NoSuchEntity');
    await ok(ops, 'DeleteUser', { UserName: 'ops2' });
    await ok(ROOT, 'DetachUserPolicy', { UserName: 'ops', PolicyArn: 'arn:aws:iam::aws:policy/consoleAdmin' });

    await ok(ROOT, 'PutUserPolicy', {
      UserName: 'ops',
      PolicyName: 'lan-only',
      PolicyDocument: doc([{ Effect: 'Allow', Action: ['admin:ListUsers'], Condition: { IpAddress: { 'aws:SourceIp': '10.0.0.0/8' } } }]),
    });
    const from = async (address: string) => (await call(ops, 'ListUsers', {}, 'iam', address)).status;
    assert.equal(await from('10.1.2.3'), 200);
    assert.equal(await from('127.0.0.1'), 403);
    await ok(ROOT, 'DeleteUserPolicy', { UserName: 'ops', PolicyName: 'lan-only' });
  });

  it('groups: create, members, list, attach, delete conflicts', async () => {
    const g = (await ok(ROOT, 'CreateGroup', { GroupName: 'devs' })).Group as Record<string, string>;
    assert.equal(g.Path, '/');
    assert.equal(g.GroupName, 'devs');
    assert.match(g.GroupId, /^AGPA[A-Z2-7]{17}$/);
    assert.equal(g.Arn, 'arn:aws:iam::000000000000:group/devs');
    assert.match(g.CreateDate, ISO);
    await fails(ROOT, 'CreateGroup', { GroupName: 'devs' }, 409, 'EntityAlreadyExists');
    await fails(ROOT, 'CreateGroup', {}, 400, 'ValidationError');

    await ok(ROOT, 'AddUserToGroup', { GroupName: 'devs', UserName: 'alice' });
    await fails(ROOT, 'AddUserToGroup', { GroupName: 'devs', UserName: 'nobody' }, 404, 'NoSuchEntity');
    await fails(ROOT, 'AddUserToGroup', { GroupName: 'nogroup', UserName: 'alice' }, 404, 'NoSuchEntity');
    const got = await ok(ROOT, 'GetGroup', { GroupName: 'devs' });
    assert.deepEqual(got.Group, g);
    assert.deepEqual(list(got.Users).map((u) => u.UserName), ['alice']);
    assert.equal(got.IsTruncated, 'false');
    assert.deepEqual(list((await ok(ROOT, 'ListGroups')).Groups).map((x) => x.GroupName), ['devs']);
    assert.deepEqual(list((await ok(ROOT, 'ListGroupsForUser', { UserName: 'alice' })).Groups), [g]);
    await fails(ROOT, 'ListGroupsForUser', { UserName: 'nobody' }, 404, 'NoSuchEntity');

    assert.match(await fails(ROOT, 'DeleteGroup', { GroupName: 'devs' }, 409, 'DeleteConflict'), /members/);
    await ok(ROOT, 'RemoveUserFromGroup', { GroupName: 'devs', UserName: 'alice' });
    await fails(ROOT, 'RemoveUserFromGroup', { GroupName: 'devs', UserName: 'alice' }, 404, 'NoSuchEntity');
    assert.deepEqual(list((await ok(ROOT, 'GetGroup', { GroupName: 'devs' })).Users), []);

    await ok(ROOT, 'AttachGroupPolicy', { GroupName: 'devs', PolicyArn: 'arn:aws:iam::aws:policy/readonly' });
    assert.deepEqual(list((await ok(ROOT, 'ListAttachedGroupPolicies', { GroupName: 'devs' })).AttachedPolicies), [
      { PolicyName: 'readonly', PolicyArn: 'arn:aws:iam::aws:policy/readonly' },
    ]);
    assert.match(await fails(ROOT, 'DeleteGroup', { GroupName: 'devs' }, 409, 'DeleteConflict'), /readonly/);
    await ok(ROOT, 'DetachGroupPolicy', { GroupName: 'devs', PolicyArn: 'arn:aws:iam::aws:policy/readonly' });
    await fails(ROOT, 'DetachGroupPolicy', { GroupName: 'devs', PolicyArn: 'arn:aws:iam::aws:policy/readonly' }, 404, 'NoSuchEntity');
    await ok(ROOT, 'DeleteGroup', { GroupName: 'devs' });
    await fails(ROOT, 'GetGroup', { GroupName: 'devs' }, 404, 'NoSuchEntity');
    await fails(ROOT, 'DeleteGroup', { GroupName: 'devs' }, 404, 'NoSuchEntity');
  });

  it('group policies apply to members', async () => {
    await ok(ROOT, 'CreatePolicy', { PolicyName: 'user-lister', PolicyDocument: LIST_USERS_ONLY });
    await ok(ROOT, 'CreateGroup', { GroupName: 'listers' });
    await ok(ROOT, 'AttachGroupPolicy', { GroupName: 'listers', PolicyArn: 'arn:aws:iam::000000000000:policy/user-lister' });
    const alice = (await newKey('alice')).identity;
    await fails(alice, 'ListUsers', {}, 403, 'AccessDenied');
    await ok(ROOT, 'AddUserToGroup', { GroupName: 'listers', UserName: 'alice' });
    await ok(alice, 'ListUsers');
    await ok(ROOT, 'RemoveUserFromGroup', { GroupName: 'listers', UserName: 'alice' });
    await ok(ROOT, 'DetachGroupPolicy', { GroupName: 'listers', PolicyArn: 'arn:aws:iam::000000000000:policy/user-lister' });
    await ok(ROOT, 'DeleteGroup', { GroupName: 'listers' });
    await ok(ROOT, 'DeletePolicy', { PolicyArn: 'arn:aws:iam::000000000000:policy/user-lister' });
    await ok(ROOT, 'DeleteAccessKey', { UserName: 'alice', AccessKeyId: (alice as { accessKey: string }).accessKey });
  });

  it('managed policies: create, get, versions, list, attach, delete', async () => {
    const p = (await ok(ROOT, 'CreatePolicy', { PolicyName: 'photos-read', PolicyDocument: PHOTOS_READ })).Policy as Record<string, string>;
    assert.equal(p.PolicyName, 'photos-read');
    assert.match(p.PolicyId, /^ANPA[A-Z2-7]{17}$/);
    assert.equal(p.Arn, 'arn:aws:iam::000000000000:policy/photos-read');
    assert.equal(p.Path, '/');
    assert.equal(p.DefaultVersionId, 'v1');
    assert.equal(p.AttachmentCount, '0');
    assert.equal(p.IsAttachable, 'true');
    assert.match(p.CreateDate, ISO);

    await fails(ROOT, 'CreatePolicy', { PolicyName: 'photos-read', PolicyDocument: PHOTOS_READ }, 409, 'EntityAlreadyExists');
    await fails(ROOT, 'CreatePolicy', { PolicyName: 'readonly', PolicyDocument: PHOTOS_READ }, 409, 'EntityAlreadyExists');
    await fails(ROOT, 'CreatePolicy', { PolicyName: 'broken', PolicyDocument: '{"Version":' }, 400, 'MalformedPolicyDocument');
    await fails(ROOT, 'CreatePolicy', { PolicyName: 'broken', PolicyDocument: doc([{ Effect: 'Allow', Action: ['s3:Teleport'], Resource: ['*'] }]) }, 400, 'MalformedPolicyDocument');
    assert.match(await fails(ROOT, 'CreatePolicy', { PolicyName: 'broken' }, 400, 'ValidationError'), /PolicyDocument/);
    await fails(ROOT, 'CreatePolicy', { PolicyName: 'described', PolicyDocument: PHOTOS_READ, Description: 'x' }, 400, 'InvalidInput');

    // Any account part, and a path, name the same policy.
    for (const arn of [p.Arn, 'arn:aws:iam::123456789012:policy/photos-read', 'arn:aws:iam::aws:policy/team/photos-read']) {
      assert.deepEqual((await ok(ROOT, 'GetPolicy', { PolicyArn: arn })).Policy, p);
    }
    await fails(ROOT, 'GetPolicy', { PolicyArn: 'arn:aws:iam::000000000000:policy/nope' }, 404, 'NoSuchEntity');
    await fails(ROOT, 'GetPolicy', { PolicyArn: 'photos-read' }, 400, 'InvalidInput');
    await fails(ROOT, 'GetPolicy', { PolicyArn: 'arn:aws:iam::000000000000:user/alice' }, 400, 'InvalidInput');

    const v = (await ok(ROOT, 'GetPolicyVersion', { PolicyArn: p.Arn, VersionId: 'v1' })).PolicyVersion as Record<string, string>;
    assert.equal(v.VersionId, 'v1');
    assert.equal(v.IsDefaultVersion, 'true');
    assert.deepEqual(JSON.parse(decodeURIComponent(v.Document)), JSON.parse(PHOTOS_READ), 'documents are URL-encoded JSON, as AWS sends them');
    assert.ok(!v.Document.includes('"'));
    await fails(ROOT, 'GetPolicyVersion', { PolicyArn: p.Arn, VersionId: 'v2' }, 404, 'NoSuchEntity');
    // Terraform lists versions before it deletes a policy.
    const versions = await ok(ROOT, 'ListPolicyVersions', { PolicyArn: p.Arn });
    assert.deepEqual(list(versions.Versions), [{ VersionId: 'v1', IsDefaultVersion: 'true', CreateDate: p.CreateDate }]);
    assert.equal(versions.IsTruncated, 'false');
    const builtin = (await ok(ROOT, 'GetPolicyVersion', { PolicyArn: 'arn:aws:iam::aws:policy/readonly', VersionId: 'v1' })).PolicyVersion as Record<string, string>;
    assert.ok((JSON.parse(decodeURIComponent(builtin.Document)) as { Statement: unknown[] }).Statement.length > 0);

    const names = async (params: Record<string, string>) => list((await ok(ROOT, 'ListPolicies', params)).Policies).map((x) => `${x.PolicyName} ${x.Arn}`);
    assert.deepEqual(await names({ Scope: 'Local' }), ['photos-read arn:aws:iam::000000000000:policy/photos-read']);
    const aws = await names({ Scope: 'AWS' });
    assert.ok(aws.includes('readonly arn:aws:iam::aws:policy/readonly') && aws.includes('consoleAdmin arn:aws:iam::aws:policy/consoleAdmin'), aws.join());
    assert.equal((await names({})).length, aws.length + 1);
    assert.deepEqual(await names({ OnlyAttached: 'true' }), []);
    await fails(ROOT, 'ListPolicies', { Scope: 'Everything' }, 400, 'ValidationError');

    await ok(ROOT, 'AttachUserPolicy', { UserName: 'alice', PolicyArn: p.Arn });
    await ok(ROOT, 'AttachUserPolicy', { UserName: 'alice', PolicyArn: 'arn:aws:iam::aws:policy/readonly' });
    assert.deepEqual(iam.getUser('alice').policies.sort(), ['photos-read', 'readonly']);
    const attached = list((await ok(ROOT, 'ListAttachedUserPolicies', { UserName: 'alice' })).AttachedPolicies);
    assert.deepEqual(attached, [
      { PolicyName: 'photos-read', PolicyArn: 'arn:aws:iam::000000000000:policy/photos-read' },
      { PolicyName: 'readonly', PolicyArn: 'arn:aws:iam::aws:policy/readonly' },
    ]);
    assert.equal(((await ok(ROOT, 'GetPolicy', { PolicyArn: p.Arn })).Policy as Record<string, string>).AttachmentCount, '1');
    assert.deepEqual(await names({ OnlyAttached: 'true', Scope: 'Local' }), ['photos-read arn:aws:iam::000000000000:policy/photos-read']);
    await fails(ROOT, 'AttachUserPolicy', { UserName: 'alice', PolicyArn: 'arn:aws:iam::000000000000:policy/nope' }, 404, 'NoSuchEntity');
    await fails(ROOT, 'AttachUserPolicy', { UserName: 'nobody', PolicyArn: p.Arn }, 404, 'NoSuchEntity');
    await fails(ROOT, 'ListAttachedUserPolicies', { UserName: 'nobody' }, 404, 'NoSuchEntity');

    assert.match(await fails(ROOT, 'DeletePolicy', { PolicyArn: p.Arn }, 409, 'DeleteConflict'), /alice/);
    await ok(ROOT, 'DetachUserPolicy', { UserName: 'alice', PolicyArn: p.Arn });
    await ok(ROOT, 'DetachUserPolicy', { UserName: 'alice', PolicyArn: 'arn:aws:iam::aws:policy/readonly' });
    await fails(ROOT, 'DetachUserPolicy', { UserName: 'alice', PolicyArn: p.Arn }, 404, 'NoSuchEntity');
    await fails(ROOT, 'DeletePolicy', { PolicyArn: 'arn:aws:iam::aws:policy/readonly' }, 400, 'InvalidInput');
    await ok(ROOT, 'DeletePolicy', { PolicyArn: p.Arn });
    await fails(ROOT, 'GetPolicy', { PolicyArn: p.Arn }, 404, 'NoSuchEntity');
  });

  it('inline user policies: put, get, list, delete', async () => {
    await ok(ROOT, 'PutUserPolicy', { UserName: 'alice', PolicyName: 'photos', PolicyDocument: PHOTOS_READ });
    const got = await ok(ROOT, 'GetUserPolicy', { UserName: 'alice', PolicyName: 'photos' });
    assert.equal(got.UserName, 'alice');
    assert.equal(got.PolicyName, 'photos');
    assert.deepEqual(JSON.parse(decodeURIComponent(got.PolicyDocument as string)), JSON.parse(PHOTOS_READ));
    assert.deepEqual(list((await ok(ROOT, 'ListUserPolicies', { UserName: 'alice' })).PolicyNames), ['photos']);
    // Put again replaces.
    await ok(ROOT, 'PutUserPolicy', { UserName: 'alice', PolicyName: 'photos', PolicyDocument: LIST_USERS_ONLY });
    assert.deepEqual(JSON.parse(decodeURIComponent((await ok(ROOT, 'GetUserPolicy', { UserName: 'alice', PolicyName: 'photos' })).PolicyDocument as string)), JSON.parse(LIST_USERS_ONLY));

    await fails(ROOT, 'PutUserPolicy', { UserName: 'alice', PolicyName: 'bad', PolicyDocument: 'not json' }, 400, 'MalformedPolicyDocument');
    await fails(ROOT, 'PutUserPolicy', { UserName: 'alice', PolicyName: 'bad', PolicyDocument: doc([{ Effect: 'Maybe', Action: ['s3:GetObject'], Resource: ['*'] }]) }, 400, 'MalformedPolicyDocument');
    await fails(ROOT, 'PutUserPolicy', { UserName: 'nobody', PolicyName: 'photos', PolicyDocument: PHOTOS_READ }, 404, 'NoSuchEntity');
    await fails(ROOT, 'PutUserPolicy', { UserName: 'alice', PolicyName: 'photos' }, 400, 'ValidationError');
    await fails(ROOT, 'GetUserPolicy', { UserName: 'alice', PolicyName: 'nope' }, 404, 'NoSuchEntity');
    await fails(ROOT, 'GetUserPolicy', { UserName: 'alice', PolicyName: 'constructor' }, 404, 'NoSuchEntity');
    await fails(ROOT, 'DeleteUserPolicy', { UserName: 'alice', PolicyName: 'constructor' }, 404, 'NoSuchEntity');
    await ok(ROOT, 'DeleteUserPolicy', { UserName: 'alice', PolicyName: 'photos' });
    await fails(ROOT, 'DeleteUserPolicy', { UserName: 'alice', PolicyName: 'photos' }, 404, 'NoSuchEntity');
    assert.deepEqual(list((await ok(ROOT, 'ListUserPolicies', { UserName: 'alice' })).PolicyNames), []);
  });

  it('DeleteUser refuses while the user has keys, policies or groups, as AWS does', async () => {
    const key = await newKey('alice');
    await ok(ROOT, 'AttachUserPolicy', { UserName: 'alice', PolicyArn: 'arn:aws:iam::aws:policy/readonly' });
    await ok(ROOT, 'PutUserPolicy', { UserName: 'alice', PolicyName: 'photos', PolicyDocument: PHOTOS_READ });
    await ok(ROOT, 'CreateGroup', { GroupName: 'team' });
    await ok(ROOT, 'AddUserToGroup', { GroupName: 'team', UserName: 'alice' });
    const message = await fails(ROOT, 'DeleteUser', { UserName: 'alice' }, 409, 'DeleteConflict');
    for (const part of ['access key', 'readonly', 'photos', 'team']) assert.ok(message.includes(part), message);
    assert.ok(iam.credentials(key.id), 'a refused delete changes nothing');

    await ok(ROOT, 'DeleteAccessKey', { UserName: 'alice', AccessKeyId: key.id });
    for (const k of iam.listServiceAccounts('alice')) await ok(ROOT, 'DeleteAccessKey', { UserName: 'alice', AccessKeyId: k.accessKey });
    await ok(ROOT, 'DetachUserPolicy', { UserName: 'alice', PolicyArn: 'arn:aws:iam::aws:policy/readonly' });
    await ok(ROOT, 'DeleteUserPolicy', { UserName: 'alice', PolicyName: 'photos' });
    await ok(ROOT, 'RemoveUserFromGroup', { GroupName: 'team', UserName: 'alice' });
    await ok(ROOT, 'DeleteGroup', { GroupName: 'team' });
    await ok(ROOT, 'DeleteUser', { UserName: 'alice' });
    await fails(ROOT, 'GetUser', { UserName: 'alice' }, 404, 'NoSuchEntity');
    await fails(ROOT, 'DeleteUser', { UserName: 'alice' }, 404, 'NoSuchEntity');
    await fails(ROOT, 'DeleteUser', {}, 400, 'ValidationError');
  });

  it('unknown actions, STS, anonymous callers', async () => {
    assert.match(await fails(ROOT, 'CreateRole', { RoleName: 'r' }, 400, 'InvalidAction'), /CreateRole/);
    await fails(ROOT, 'constructor', {}, 400, 'InvalidAction');
    await fails(ROOT, '__proto__', {}, 400, 'InvalidAction');
    const none = await handler({ identity: ROOT, service: 'iam', form: new URLSearchParams(), requestId: 'REQ-2', sourceAddress: '127.0.0.1' });
    assert.equal(none.status, 400);
    assert.match(String(none.body), /<Code>InvalidAction<\/Code>/);

    const sts = await call(ROOT, 'GetCallerIdentity', {}, 'sts');
    assert.equal(sts.status, 400);
    assert.equal((sts.xml.ErrorResponse.Error as Record<string, string>).Code, 'InvalidAction');
    assert.equal(sts.xml.ErrorResponse['@_xmlns'], 'https://sts.amazonaws.com/doc/2011-06-15/');

    await fails({ type: 'anonymous' }, 'ListUsers', {}, 403, 'AccessDenied');
  });

  it('names go into the XML escaped, and the account id is a dependency', async () => {
    const other = createIamQueryHandler({ iam, authorizer: new Authorizer(iam), accountId: '123456789012' });
    const reply = await other({ identity: ROOT, service: 'iam', form: new URLSearchParams({ Action: 'CreateUser', UserName: 'a+b=c,d.e@f-g' }), requestId: 'R', sourceAddress: '127.0.0.1' });
    assert.equal(reply.status, 200, String(reply.body));
    assert.match(String(reply.body), /<Arn>arn:aws:iam::123456789012:user\/a\+b=c,d\.e@f-g<\/Arn>/);
    await ok(ROOT, 'DeleteUser', { UserName: 'a+b=c,d.e@f-g' });
    assert.throws(() => createIamQueryHandler({ iam, authorizer: new Authorizer(iam), accountId: 'acct:1' }), /twelve digits/);

    // A policy document with XML-special characters survives the round trip.
    await ok(ROOT, 'CreateUser', { UserName: 'escaper' });
    const tricky = doc([{ Effect: 'Allow', Action: ['s3:GetObject'], Resource: ['arn:aws:s3:::b/<a&b>"\'*'] }]);
    await ok(ROOT, 'PutUserPolicy', { UserName: 'escaper', PolicyName: 'tricky', PolicyDocument: tricky });
    const got = await ok(ROOT, 'GetUserPolicy', { UserName: 'escaper', PolicyName: 'tricky' });
    assert.equal(decodeURIComponent(got.PolicyDocument as string), tricky);
    await ok(ROOT, 'DeleteUserPolicy', { UserName: 'escaper', PolicyName: 'tricky' });
    await ok(ROOT, 'DeleteUser', { UserName: 'escaper' });
  });
});
