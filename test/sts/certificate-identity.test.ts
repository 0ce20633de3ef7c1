import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { Agent } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { CreateBucketCommand, GetObjectCommand, PutObjectCommand, S3Client, S3ServiceException } from '@aws-sdk/client-s3';
import { createCertificateAuthority, issueCertificate, signingCa, type IssuedCertificate } from '../../engine/tls/certificate-issuer.js';
import { startServer, type RunningServer } from '../helpers/server.js';
import { stsPost, type StsCredentials } from './unsigned-sts-client.js';
import { waitFor } from '../audit/audit-helpers.js';

/**
 * AssumeRoleWithCertificate over TLS: client certificates made by the test's
 * CA (in the server's CAs/ folder) get credentials with the policy named like
 * their CN; a certificate from another CA never gets an answer.
 */
let server: RunningServer;
let trusted: IssuedCertificate;
let other: IssuedCertificate;

function s3(c: { accessKeyId: string; secretAccessKey: string; sessionToken?: string }): S3Client {
  const credentials = { accessKeyId: c.accessKeyId, secretAccessKey: c.secretAccessKey, ...(c.sessionToken ? { sessionToken: c.sessionToken } : {}) };
  return new S3Client({ endpoint: server.endpoint, region: 'us-east-1', forcePathStyle: true, credentials, maxAttempts: 1, requestHandler: { httpsAgent: new Agent({ ca: trusted.certPem }) } });
}

async function s3Error(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (err) {
    if (err instanceof S3ServiceException) return err.name;
    throw err;
  }
  return 'no error';
}

async function clientCert(ca: IssuedCertificate, commonName: string, days = 5): Promise<IssuedCertificate> {
  return issueCertificate(await signingCa(ca), { commonName, usage: 'client', days });
}

const assume = (cert?: IssuedCertificate, extra: Record<string, string> = {}) =>
  stsPost(server.endpoint, { Action: 'AssumeRoleWithCertificate', ...extra }, { ca: trusted.certPem, ...(cert ? { cert: cert.certPem, key: cert.keyPem } : {}) });

before(async () => {
  const root = mkdtempSync(join(tmpdir(), 'granary-sts-cert-'));
  const dir = join(root, 'certs');
  mkdirSync(join(dir, 'CAs'), { recursive: true });
  trusted = await createCertificateAuthority('Test client CA', 30);
  other = await createCertificateAuthority('Someone else\'s CA', 30);
  const serverCert = await issueCertificate(await signingCa(trusted), { commonName: 'granary', names: ['localhost', '127.0.0.1'], usage: 'server', days: 10 });
  writeFileSync(join(dir, 'public.crt'), serverCert.certPem);
  writeFileSync(join(dir, 'private.key'), serverCert.keyPem, { mode: 0o600 });
  writeFileSync(join(dir, 'CAs', 'clients.crt'), trusted.certPem);
  server = await startServer({ root, args: ['--certs-dir', dir, '--sts-max-duration', '30d'] });
  const rootClient = s3({ accessKeyId: server.accessKey, secretAccessKey: server.secretKey });
  await rootClient.send(new CreateBucketCommand({ Bucket: 'certs' }));
  await rootClient.send(new PutObjectCommand({ Bucket: 'certs', Key: 'config.txt', Body: 'device config' }));
});

after(async () => {
  await server?.stop();
});

describe('AssumeRoleWithCertificate', () => {
  test('a trusted client certificate gets credentials with the policy named like its CN', async () => {
    const writer = await assume(await clientCert(trusted, 'readwrite'));
    assert.equal(writer.status, 200, writer.body);
    const creds: StsCredentials = writer.credentials!;
    await s3(creds).send(new PutObjectCommand({ Bucket: 'certs', Key: 'from-device.txt', Body: 'hello' }));
    const reader = (await assume(await clientCert(trusted, 'readonly'))).credentials!;
    const got = await s3(reader).send(new GetObjectCommand({ Bucket: 'certs', Key: 'from-device.txt' }));
    assert.equal(await got.Body!.transformToString(), 'hello');
    assert.equal(await s3Error(s3(reader).send(new PutObjectCommand({ Bucket: 'certs', Key: 'x.txt', Body: 'no' }))), 'AccessDenied');
  });

  test('the credentials never outlive the certificate', async () => {
    const cert = await clientCert(trusted, 'readonly', 2);
    const r = await assume(cert, { DurationSeconds: String(10 * 86_400) });
    assert.equal(r.status, 200, r.body);
    const certEnd = Date.parse(new X509Certificate(cert.certPem).validTo);
    assert.ok(Date.parse(r.credentials!.expiration) <= certEnd, `${r.credentials!.expiration} is past ${new Date(certEnd).toISOString()}`);
  });

  test('no certificate, or a CN that names no policy, is refused', async () => {
    const none = await assume();
    assert.equal(none.status, 403);
    assert.equal(none.code, 'AccessDenied');
    const unmapped = await assume(await clientCert(trusted, 'unmapped-robot'));
    assert.equal(unmapped.code, 'AccessDenied');
    assert.match(unmapped.body, /No policy is named like/);
  });

  test('a certificate from another CA is refused at the handshake', async () => {
    await assert.rejects(assume(await clientCert(other, 'readwrite')), /socket hang up|ECONNRESET|EPIPE/);
    await waitFor('the refusal in the server log', () => (/TLS: refused a client certificate/.test(server.output()) ? true : undefined));
  });

  test('over plain HTTP there is no certificate to show', async () => {
    const plain = await startServer();
    try {
      const r = await stsPost(plain.endpoint, { Action: 'AssumeRoleWithCertificate' });
      assert.equal(r.code, 'AccessDenied');
    } finally {
      await plain.stop();
    }
  });
});
