import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { run } from '../helpers/run.js';
import { clientEnv, startServer, type RunningServer } from '../helpers/server.js';

/** The real `aws iam` (botocore) against `granary server`: the IAM query API behind the S3 port. */
describe('aws iam CLI against a real server', () => {
  let s: RunningServer;
  let rootEnv: Record<string, string>;
  before(async () => {
    s = await startServer();
    rootEnv = clientEnv(s);
  });
  after(async () => {
    await s?.stop();
  });

  const aws = (env: Record<string, string>, ...args: string[]) => run('/usr/bin/aws', ['--endpoint-url', s.endpoint, '--output', 'json', ...args], env, { allowFail: true });
  const json = async (env: Record<string, string>, ...args: string[]) => {
    const r = await aws(env, ...args);
    assert.equal(r.code, 0, `aws ${args.join(' ')}: ${r.stderr}`);
    return JSON.parse(r.stdout || '{}') as Record<string, Record<string, string>>;
  };
  const refused = async (code: string, env: Record<string, string>, ...args: string[]) => {
    const r = await aws(env, ...args);
    assert.notEqual(r.code, 0, `aws ${args.join(' ')} should fail`);
    assert.match(r.stderr, new RegExp(`\\(${code}\\)`), r.stderr);
  };

  it('a user made with aws iam can do what its policy allows and nothing else', async () => {
    const body = join(s.root, 'hello.txt');
    writeFileSync(body, 'hello, photos\n');
    await json(rootEnv, 's3api', 'create-bucket', '--bucket', 'photos');
    await json(rootEnv, 's3api', 'put-object', '--bucket', 'photos', '--key', 'a.txt', '--body', body);
    await json(rootEnv, 's3api', 'create-bucket', '--bucket', 'private');

    const user = (await json(rootEnv, 'iam', 'create-user', '--user-name', 'alice')).User;
    assert.equal(user.Arn, 'arn:aws:iam::000000000000:user/alice');
    const key = (await json(rootEnv, 'iam', 'create-access-key', '--user-name', 'alice')).AccessKey;
    assert.equal(key.Status, 'Active');
    const policyFile = join(s.root, 'photos-read.json');
    writeFileSync(policyFile, JSON.stringify({
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Action: ['s3:GetObject', 's3:ListBucket'], Resource: ['arn:aws:s3:::photos', 'arn:aws:s3:::photos/*'] }],
    }));
    const policy = (await json(rootEnv, 'iam', 'create-policy', '--policy-name', 'photos-read', '--policy-document', `file://${policyFile}`)).Policy;
    assert.equal(policy.Arn, 'arn:aws:iam::000000000000:policy/photos-read');
    await json(rootEnv, 'iam', 'attach-user-policy', '--user-name', 'alice', '--policy-arn', policy.Arn);
    const version = (await json(rootEnv, 'iam', 'get-policy-version', '--policy-arn', policy.Arn, '--version-id', 'v1')).PolicyVersion as unknown as { Document: { Statement: unknown[] } };
    assert.equal(version.Document.Statement.length, 1, 'botocore decodes the URL-encoded document');

    const alice = clientEnv(s, { AWS_ACCESS_KEY_ID: key.AccessKeyId, AWS_SECRET_ACCESS_KEY: key.SecretAccessKey });
    const out = join(s.root, 'got.txt');
    await json(alice, 's3api', 'get-object', '--bucket', 'photos', '--key', 'a.txt', out);
    assert.equal(readFileSync(out, 'utf8'), 'hello, photos\n');
    const listed = await json(alice, 's3api', 'list-objects-v2', '--bucket', 'photos');
    assert.deepEqual((listed.Contents as unknown as { Key: string }[]).map((o) => o.Key), ['a.txt']);
    await refused('AccessDenied', alice, 's3api', 'put-object', '--bucket', 'photos', '--key', 'b.txt', '--body', body);
    await refused('AccessDenied', alice, 's3api', 'delete-object', '--bucket', 'photos', '--key', 'a.txt');
    await refused('AccessDenied', alice, 's3api', 'list-objects-v2', '--bucket', 'private');
    await refused('AccessDenied', alice, 'iam', 'list-users');
    await refused('AccessDenied', alice, 'iam', 'create-user', '--user-name', 'mallory');

    // Her own keys she manages herself.
    const own = await json(alice, 'iam', 'list-access-keys');
    assert.deepEqual((own.AccessKeyMetadata as unknown as { AccessKeyId: string }[]).map((k) => k.AccessKeyId), [key.AccessKeyId]);

    // Detached, the key can no longer read.
    await json(rootEnv, 'iam', 'detach-user-policy', '--user-name', 'alice', '--policy-arn', policy.Arn);
    await refused('AccessDenied', alice, 's3api', 'get-object', '--bucket', 'photos', '--key', 'a.txt', out);
  });

  it('errors come back with IAM codes', async () => {
    await refused('NoSuchEntity', rootEnv, 'iam', 'get-user', '--user-name', 'nobody');
    await refused('EntityAlreadyExists', rootEnv, 'iam', 'create-user', '--user-name', 'alice');
    await refused('MalformedPolicyDocument', rootEnv, 'iam', 'create-policy', '--policy-name', 'bad', '--policy-document', '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:Teleport","Resource":"*"}]}');
    await refused('DeleteConflict', rootEnv, 'iam', 'delete-user', '--user-name', 'alice');
    await refused('InvalidAction', rootEnv, 'iam', 'create-role', '--role-name', 'r', '--assume-role-policy-document', '{}');
    // The same endpoint answers STS: the caller is who signed.
    const me = (await json(rootEnv, 'sts', 'get-caller-identity')) as unknown as { Arn: string; Account: string };
    assert.equal(me.Arn, 'arn:aws:iam:::root');
    assert.equal(me.Account, '000000000000');
    await refused('InvalidAction', rootEnv, 'sts', 'get-session-token');
  });
});
