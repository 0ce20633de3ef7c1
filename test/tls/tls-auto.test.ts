import assert from 'node:assert/strict';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { Agent } from 'node:https';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { X509Certificate } from 'node:crypto';
import { GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { run } from '../helpers/run.js';
import { clientEnv, startServer, type RunningServer } from '../helpers/server.js';
import { handshake, httpsGet } from './tls-client.js';

/** `--tls auto`: a generated local CA, both ports on HTTPS, real clients trusting that CA. */
describe('TLS with a generated local CA (--tls auto)', () => {
  let s: RunningServer;
  let caFile: string;
  let port: number;
  let consoleUrl: string;
  before(async () => {
    s = await startServer({ args: ['--tls', 'auto'] });
    caFile = join(s.root, 'config', 'tls', 'ca.crt');
    port = Number(new URL(s.endpoint).port);
    consoleUrl = /Console: (\S+)/.exec(s.output())![1]!;
  });
  after(async () => {
    await s?.stop();
  });

  it('prints https:// for the S3 API and the console, and keeps the CA key private', () => {
    assert.match(s.endpoint, /^https:\/\/127\.0\.0\.1:\d+$/);
    assert.match(consoleUrl, /^https:\/\//);
    const dir = join(s.root, 'config', 'tls');
    assert.equal(statSync(join(dir, 'ca.key')).mode & 0o777, 0o600);
    assert.equal(statSync(join(dir, 'private.key')).mode & 0o777, 0o600);
    const leaf = new X509Certificate(readFileSync(join(dir, 'public.crt')));
    assert.ok(leaf.checkIssued(new X509Certificate(readFileSync(caFile))));
    assert.ok(leaf.checkHost('localhost') && leaf.checkIP('127.0.0.1') && leaf.checkIP('::1'), leaf.subjectAltName);
    assert.ok(!leaf.ca);
  });

  it('aws-cli puts and gets over TLS with AWS_CA_BUNDLE, and refuses the server without it', async () => {
    const env = clientEnv(s, { AWS_CA_BUNDLE: caFile });
    const aws = (...args: string[]) => run('/usr/bin/aws', ['--endpoint-url', s.endpoint, ...args], env);
    writeFileSync(join(s.root, 'hello.txt'), 'over tls');
    await aws('s3', 'mb', 's3://tls-cli');
    await aws('s3', 'cp', join(s.root, 'hello.txt'), 's3://tls-cli/hello.txt');
    await aws('s3', 'cp', 's3://tls-cli/hello.txt', join(s.root, 'back.txt'));
    assert.equal(readFileSync(join(s.root, 'back.txt'), 'utf8'), 'over tls');
    const untrusted = await run('/usr/bin/aws', ['--endpoint-url', s.endpoint, 's3', 'ls'], clientEnv(s), { allowFail: true });
    assert.notEqual(untrusted.code, 0);
    assert.match(untrusted.stderr, /SSL|certificate/i);
  });

  it('the AWS SDK puts and gets over TLS with an agent that trusts the CA', async () => {
    const client = new S3Client({
      endpoint: s.endpoint,
      region: 'us-east-1',
      forcePathStyle: true,
      credentials: { accessKeyId: s.accessKey, secretAccessKey: s.secretKey },
      maxAttempts: 1,
      // The NodeHttpHandler's options: its https agent trusts only our CA.
      requestHandler: { httpsAgent: new Agent({ ca: readFileSync(caFile, 'utf8') }) },
    });
    try {
      await client.send(new PutObjectCommand({ Bucket: 'tls-cli', Key: 'sdk.txt', Body: 'sdk over tls' }));
      const got = await client.send(new GetObjectCommand({ Bucket: 'tls-cli', Key: 'sdk.txt' }));
      assert.equal(await got.Body!.transformToString(), 'sdk over tls');
    } finally {
      client.destroy();
    }
  });

  it('aws:SecureTransport is true over TLS', async () => {
    const env = clientEnv(s, { AWS_CA_BUNDLE: caFile });
    const policy = {
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: 'arn:aws:s3:::tls-cli/*', Condition: { Bool: { 'aws:SecureTransport': 'true' } } }],
    };
    await run('/usr/bin/aws', ['--endpoint-url', s.endpoint, 's3api', 'put-bucket-policy', '--bucket', 'tls-cli', '--policy', JSON.stringify(policy)], env);
    const anonymous = await httpsGet(`${s.endpoint}/tls-cli/hello.txt`, { ca: readFileSync(caFile, 'utf8') });
    assert.equal(anonymous.status, 200, anonymous.body);
    assert.equal(anonymous.body, 'over tls');
  });

  it('negotiates TLS 1.3 by default and TLS 1.2 only with ECDHE + AEAD', async () => {
    const ca = readFileSync(caFile, 'utf8');
    assert.equal((await handshake(port, { ca })).protocol, 'TLSv1.3');
    const v12 = await handshake(port, { ca, maxVersion: 'TLSv1.2' });
    assert.equal(v12.protocol, 'TLSv1.2');
    assert.match(v12.cipher, /^ECDHE-ECDSA-(AES\d+-GCM|CHACHA20-POLY1305)/);
    await assert.rejects(handshake(port, { ca, maxVersion: 'TLSv1.2', ciphers: 'ECDHE-ECDSA-AES128-SHA:AES128-GCM-SHA256' }), /handshake failure|no shared cipher|SSL/i);
  });

  it('refuses a TLS 1.1 handshake (node and openssl s_client)', async () => {
    await assert.rejects(
      handshake(port, { minVersion: 'TLSv1.1', maxVersion: 'TLSv1.1', ciphers: 'DEFAULT@SECLEVEL=0', rejectUnauthorized: false }),
      (err: NodeJS.ErrnoException) => /protocol version|unsupported protocol|wrong version/i.test(`${err.code} ${err.message}`),
    );
    assert.ok(existsSync('/usr/bin/openssl'), 'openssl is installed (README test command)');
    const r = await run('/usr/bin/openssl', ['s_client', '-tls1_1', '-cipher', 'DEFAULT@SECLEVEL=0', '-connect', `127.0.0.1:${port}`], { PATH: '/usr/bin:/bin' }, { allowFail: true, timeoutMs: 15_000 });
    assert.notEqual(r.code, 0);
    assert.match(r.stdout + r.stderr, /protocol version|no protocols available|unsupported protocol/i);
    const ok = await run('/usr/bin/openssl', ['s_client', '-tls1_2', '-CAfile', caFile, '-verify_return_error', '-connect', `127.0.0.1:${port}`], { PATH: '/usr/bin:/bin' }, { allowFail: true, timeoutMs: 15_000 });
    assert.match(ok.stdout, /Verify return code: 0 \(ok\)/);
  });

  it('the console serves over TLS and offers the CA certificate and install steps without a session', async () => {
    const ca = readFileSync(caFile, 'utf8');
    const pem = await httpsGet(`${consoleUrl}/api/v1/tls/ca`, { ca });
    assert.equal(pem.status, 200);
    assert.equal(pem.body, ca);
    assert.equal(pem.headers['content-type'], 'application/x-pem-file');
    assert.match(String(pem.headers['content-disposition']), /^attachment; filename="granary-ca\.crt"$/);
    assert.doesNotMatch(pem.body, /PRIVATE KEY/);
    const steps = await httpsGet(`${consoleUrl}/api/v1/tls/instructions`, { ca });
    assert.equal(steps.status, 200);
    const body = JSON.parse(steps.body) as { fingerprint: string; steps: { platform: string; commands: string[] }[] };
    assert.equal(body.fingerprint, new X509Certificate(ca).fingerprint256);
    const text = JSON.stringify(body.steps);
    for (const w of ['certutil', 'add-trusted-cert', 'update-ca-certificates', 'Firefox']) assert.ok(text.includes(w), w);
  });
});
