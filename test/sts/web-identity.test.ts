import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { run } from '../helpers/run.js';
import { startServer, type RunningServer } from '../helpers/server.js';
import { signedFetch, type Account } from '../helpers/signed-fetch.js';
import { startIssuer, type TestIssuer } from './oidc-issuer.js';
import { credentialsOf, stsPost, type StsAnswer, type TempCredentials } from './sts-client.js';

/**
 * OpenID Connect federation against a real issuer started here (discovery +
 * JWKS over node:http, tokens signed with jose): AssumeRoleWithWebIdentity
 * (aws-cli, unsigned) and AssumeRoleWithClientGrants, claim- and role-based
 * providers, every forged or misdirected token refused, key rotation picked up.
 */
const MAIN = join(import.meta.dirname, '../../engine/cli/main.ts');

let server: RunningServer & { kill: () => Promise<void> };
let root: Account;
let issuer: TestIssuer;
/** A session the partner provider vouched for, ended when that provider is removed. */
let partnerSession: TempCredentials;

function admin(args: string[]) {
  return run(process.execPath, ['--import', 'tsx', MAIN, 'admin', '--endpoint', server.endpoint, '--access-key', root.accessKey, '--secret-key', root.secretKey, ...args], { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: server.root }, { allowFail: true, timeoutMs: 60_000 });
}

function webIdentity(token: string, extra: Record<string, string> = {}): Promise<StsAnswer> {
  return stsPost(server.endpoint, { Action: 'AssumeRoleWithWebIdentity', WebIdentityToken: token, RoleSessionName: 'web', ...extra });
}

async function sessionCount(): Promise<number> {
  return ((await (await signedFetch(root, 'GET', '/granary/admin/v1/temporary-accounts')).json()) as unknown[]).length;
}

async function canPut(c: TempCredentials, bucket: string): Promise<string> {
  const client = new S3Client({ endpoint: server.endpoint, region: 'us-east-1', forcePathStyle: true, credentials: { accessKeyId: c.AccessKeyId, secretAccessKey: c.SecretAccessKey, sessionToken: c.SessionToken } });
  try {
    await client.send(new PutObjectCommand({ Bucket: bucket, Key: 'fed.txt', Body: 'federated' }));
    return 'ok';
  } catch (err) {
    return (err as { name: string }).name;
  } finally {
    client.destroy();
  }
}

async function canRead(c: TempCredentials): Promise<string> {
  const client = new S3Client({ endpoint: server.endpoint, region: 'us-east-1', forcePathStyle: true, credentials: { accessKeyId: c.AccessKeyId, secretAccessKey: c.SecretAccessKey, sessionToken: c.SessionToken } });
  try {
    await client.send(new GetObjectCommand({ Bucket: 'shared', Key: 'fed.txt' }));
    return 'ok';
  } catch (err) {
    return (err as { name: string }).name;
  } finally {
    client.destroy();
  }
}

describe('STS with OpenID Connect', () => {
  before(async () => {
    issuer = await startIssuer();
    server = await startServer({ args: ['--auth-throttle', '0'] });
    root = { endpoint: server.endpoint, accessKey: server.accessKey, secretKey: server.secretKey };
    assert.equal((await signedFetch(root, 'PUT', '/shared')).status, 200);
    // Claim-based provider by the CLI; a role-based one (readonly) by the admin API, same issuer, another client.
    const r = await admin(['idp', 'oidc', 'add', 'corp', '--config-url', issuer.configUrl, '--client-id', 'granary-app']);
    assert.equal(r.code, 0, r.stderr);
    const role = await signedFetch(root, 'PUT', '/granary/admin/v1/idp/oidc/partner', JSON.stringify({ configUrl: issuer.configUrl, clientId: 'partner-app', rolePolicies: ['readonly'] }));
    const roleText = await role.text();
    assert.equal(role.status, 200, roleText);
    assert.equal((JSON.parse(roleText) as { roleArn: string }).roleArn, 'arn:granary:iam:::role/partner');
  });
  after(async () => {
    await server?.stop();
    await issuer?.close();
  });

  it('aws sts assume-role-with-web-identity: the ID token\'s policy claim decides what the session may do', async () => {
    const token = await issuer.sign({ sub: 'dana@corp', policy: 'readwrite' });
    const r = await run('/usr/bin/aws', ['--endpoint-url', server.endpoint, 'sts', 'assume-role-with-web-identity', '--role-arn', 'arn:aws:iam::000000000000:role/corp', '--role-session-name', 'dana', '--web-identity-token', token, '--output', 'json'],
      { PATH: '/usr/bin:/bin', HOME: server.root, AWS_DEFAULT_REGION: 'us-east-1', AWS_CONFIG_FILE: join(server.root, 'none'), AWS_SHARED_CREDENTIALS_FILE: join(server.root, 'none'), AWS_EC2_METADATA_DISABLED: 'true' }, { allowFail: true, timeoutMs: 60_000 });
    assert.equal(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout) as { Credentials: TempCredentials; SubjectFromWebIdentityToken: string; Provider: string; Audience: string };
    assert.equal(out.SubjectFromWebIdentityToken, 'dana@corp');
    assert.equal(out.Provider, issuer.url);
    assert.equal(out.Audience, 'granary-app');
    assert.equal(await canPut(out.Credentials, 'shared'), 'ok');

    const readonly = credentialsOf(await webIdentity(await issuer.sign({ sub: 'erin@corp', policy: ['readonly', 'no-such-policy'] })), 'AssumeRoleWithWebIdentity');
    assert.equal(await canPut(readonly, 'shared'), 'AccessDenied');
    const client = new S3Client({ endpoint: server.endpoint, region: 'us-east-1', forcePathStyle: true, credentials: { accessKeyId: readonly.AccessKeyId, secretAccessKey: readonly.SecretAccessKey, sessionToken: readonly.SessionToken } });
    assert.equal(await (await client.send(new GetObjectCommand({ Bucket: 'shared', Key: 'fed.txt' }))).Body!.transformToString(), 'federated');
    client.destroy();

    // A session policy narrows a federated session too.
    const narrow = credentialsOf(await webIdentity(await issuer.sign({ sub: 'dana@corp', policy: 'readwrite' }), { Policy: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: ['s3:GetObject'], Resource: ['arn:aws:s3:::shared/*'] }] }) }), 'AssumeRoleWithWebIdentity');
    assert.equal(await canPut(narrow, 'shared'), 'AccessDenied');
  });

  it('a role-based provider is picked by its RoleArn and grants the role\'s policies', async () => {
    const token = await issuer.sign({ sub: 'pat@partner', policy: 'readwrite' }, { audience: 'partner-app' });
    const a = await webIdentity(token, { RoleArn: 'arn:granary:iam:::role/partner' });
    partnerSession = credentialsOf(a, 'AssumeRoleWithWebIdentity');
    assert.equal(await canPut(partnerSession, 'shared'), 'AccessDenied');
    assert.equal(await canRead(partnerSession), 'ok');
    const unknownRole = await webIdentity(token, { RoleArn: 'arn:granary:iam:::role/nobody' });
    assert.equal(unknownRole.status, 400);
    assert.equal(unknownRole.code, 'InvalidParameterValue');
    // The partner token is not for the corp client.
    const wrongClient = await webIdentity(token);
    assert.equal(wrongClient.code, 'InvalidIdentityToken');
  });

  it('AssumeRoleWithClientGrants takes a JWT access token (audience or azp = client id)', async () => {
    const byAzp = await issuer.sign({ sub: 'svc-build', azp: 'granary-app', policy: 'readwrite', scope: 'openid' }, { audience: 'https://api.example' });
    const a = await stsPost(server.endpoint, { Action: 'AssumeRoleWithClientGrants', Token: byAzp, DurationSeconds: '900' });
    assert.equal(a.status, 200, a.text);
    assert.equal(a.xml.AssumeRoleWithClientGrantsResponse.AssumeRoleWithClientGrantsResult && (a.xml.AssumeRoleWithClientGrantsResponse.AssumeRoleWithClientGrantsResult as { SubjectFromToken: string }).SubjectFromToken, 'svc-build');
    assert.equal(await canPut(credentialsOf(a, 'AssumeRoleWithClientGrants'), 'shared'), 'ok');
    const other = await stsPost(server.endpoint, { Action: 'AssumeRoleWithClientGrants', Token: await issuer.sign({ sub: 'svc', policy: 'readwrite' }, { audience: 'https://api.example' }) });
    assert.equal(other.code, 'InvalidIdentityToken');
    const missing = await stsPost(server.endpoint, { Action: 'AssumeRoleWithClientGrants' });
    assert.equal(missing.code, 'MissingParameter');
  });

  it('forged, expired and misdirected tokens are refused and issue nothing', async () => {
    const before = await sessionCount();
    const refused = async (token: string, code: string, status = 400) => {
      const a = await webIdentity(token);
      assert.equal(a.status, status, a.text);
      assert.equal(a.code, code, a.text);
      assert.equal(a.xml.ErrorResponse['@_xmlns'], 'https://sts.amazonaws.com/doc/2011-06-15/');
    };
    const claims = { sub: 'mallory', policy: 'consoleAdmin' };
    await refused(await issuer.sign(claims, { audience: 'someone-else' }), 'InvalidIdentityToken');
    await refused(await issuer.sign(claims, { issuer: 'http://127.0.0.1:1' }), 'InvalidIdentityToken');
    await refused(await issuer.sign(claims, { expiresIn: -3600 }), 'ExpiredTokenException');
    const stranger = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
    await refused(await issuer.sign(claims, { kid: 'unknown-kid', key: stranger }), 'InvalidIdentityToken');
    // A published kid but another key's signature.
    await refused(await issuer.sign(claims, { key: stranger }), 'InvalidIdentityToken');
    await refused(issuer.unsecured(claims), 'InvalidIdentityToken');
    await refused(await issuer.hmacWithPublicKey(claims), 'InvalidIdentityToken');
    await refused('not.a.jwt', 'InvalidIdentityToken');
    await refused(await issuer.sign({ sub: 'nobody', policy: 'no-such-policy' }), 'IDPRejectedClaim', 403);
    await refused(await issuer.sign({ sub: 'nobody' }), 'IDPRejectedClaim', 403);
    const tooLong = await webIdentity('x'.repeat(20_001));
    assert.equal(tooLong.code, 'ValidationError');
    const absurd = await webIdentity(await issuer.sign({ sub: 'dana', policy: 'readwrite' }), { DurationSeconds: '31536001' });
    assert.equal(absurd.code, 'ValidationError');
    assert.equal(await sessionCount(), before);
  });

  it('a rotated signing key (new kid) is fetched and accepted; the old one is then refused', async () => {
    const oldToken = await issuer.sign({ sub: 'dana', policy: 'readwrite' });
    const fetches = issuer.jwksFetches();
    await issuer.rotate();
    const fresh = await issuer.sign({ sub: 'dana', policy: 'readwrite' });
    // jose refetches the JWKS for an unknown kid at most every 2 s: retry until it has.
    let a = await webIdentity(fresh);
    for (let i = 0; i < 60 && a.status !== 200; i++) {
      await new Promise((r) => setTimeout(r, 500));
      a = await webIdentity(fresh);
    }
    assert.equal(a.status, 200, a.text);
    assert.ok(issuer.jwksFetches() > fetches);
    const old = await webIdentity(oldToken);
    assert.equal(old.code, 'InvalidIdentityToken');
  });

  it('granary admin idp oidc list / info / remove; bad configurations are refused', async () => {
    let r = await admin(['--json', 'idp', 'oidc', 'list']);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual((JSON.parse(r.stdout) as { name: string }[]).map((p) => p.name), ['corp', 'partner']);
    r = await admin(['idp', 'oidc', 'info', 'partner']);
    assert.match(r.stdout, /role arn:granary:iam:::role\/partner: readonly/);
    r = await admin(['idp', 'oidc', 'add', 'broken', '--config-url', `${issuer.url}/nowhere/.well-known/openid-configuration`, '--client-id', 'x']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /InvalidInput/);
    r = await admin(['idp', 'oidc', 'add', 'Bad Name', '--config-url', issuer.configUrl, '--client-id', 'x']);
    assert.equal(r.code, 1);
    r = await admin(['idp', 'oidc', 'add', 'norole', '--config-url', issuer.configUrl, '--client-id', 'x', '--role-policy', 'no-such-policy']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /NoSuchEntity/);
    r = await admin(['idp', 'oidc']);
    assert.equal(r.code, 2);
    r = await admin(['idp', 'oidc', 'remove', 'partner']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(await canRead(partnerSession), 'AccessDenied');
    const gone = await webIdentity(await issuer.sign({ sub: 'pat' }, { audience: 'partner-app' }), { RoleArn: 'arn:granary:iam:::role/partner' });
    assert.equal(gone.code, 'InvalidParameterValue');
    r = await admin(['idp', 'oidc', 'remove', 'partner']);
    assert.equal(r.code, 1);
    // A provider change is an audited IAM change like any other (the setting it lives in).
    r = await admin(['--json', 'idp', 'oidc', 'list']);
    assert.deepEqual((JSON.parse(r.stdout) as { name: string }[]).map((p) => p.name), ['corp']);
  });
});
