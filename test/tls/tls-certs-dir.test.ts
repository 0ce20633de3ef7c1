import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { createCertificateAuthority, issueCertificate, signingCa, type IssuedCertificate } from '../../engine/tls/certificate-issuer.js';
import { startServer, type RunningServer } from '../helpers/server.js';
import { handshake, httpsGet } from './tls-client.js';

/** Writes beside and renames, as a certificate tool would. */
function replace(path: string, text: string): void {
  writeFileSync(`${path}.new`, text, { mode: 0o600 });
  renameSync(`${path}.new`, path);
}

/** `--certs-dir` with our own CA, a CAs/ folder of trusted client CAs, and a certificate swapped while running. */
describe('TLS from a certs folder: client certificates and reload', () => {
  let s: RunningServer;
  let trusted: IssuedCertificate;
  let other: IssuedCertificate;
  let dir: string;
  let port: number;
  let consolePort: number;
  before(async () => {
    const root = mkdtempSync(join(tmpdir(), 'granary-tls-'));
    dir = join(root, 'certs');
    mkdirSync(join(dir, 'CAs'), { recursive: true });
    trusted = await createCertificateAuthority('Test trusted CA', 30);
    other = await createCertificateAuthority('Test other CA', 30);
    const server = await issueCertificate(await signingCa(trusted), { commonName: 'first', names: ['localhost', '127.0.0.1'], usage: 'server', days: 10 });
    writeFileSync(join(dir, 'public.crt'), server.certPem);
    writeFileSync(join(dir, 'private.key'), server.keyPem, { mode: 0o600 });
    writeFileSync(join(dir, 'CAs', 'clients.crt'), trusted.certPem);
    s = await startServer({ root, args: ['--certs-dir', dir] });
    port = Number(new URL(s.endpoint).port);
    consolePort = Number(new URL(/Console: (\S+)/.exec(s.output())![1]!).port);
  });
  after(async () => {
    await s?.stop();
  });

  it('lets a client without a certificate in (S3 clients sign with keys)', async () => {
    const r = await httpsGet(`${s.endpoint}/`, { ca: trusted.certPem });
    assert.equal(r.status, 403);
    assert.match(r.body, /AccessDenied/);
  });

  it('accepts a client certificate signed by a CA in CAs/ and refuses one from another CA', async () => {
    const good = await issueCertificate(await signingCa(trusted), { commonName: 'alice', usage: 'client', days: 5 });
    const r = await httpsGet(`${s.endpoint}/`, { ca: trusted.certPem, cert: good.certPem, key: good.keyPem });
    assert.equal(r.status, 403, 'answered (anonymous S3 request), not cut off');
    const bad = await issueCertificate(await signingCa(other), { commonName: 'mallory', usage: 'client', days: 5 });
    await assert.rejects(httpsGet(`${s.endpoint}/`, { ca: trusted.certPem, cert: bad.certPem, key: bad.keyPem }), /socket hang up|ECONNRESET|EPIPE/);
    await assert.rejects(httpsGet(`https://127.0.0.1:${consolePort}/api/v1/session`, { ca: trusted.certPem, cert: bad.certPem, key: bad.keyPem }), /socket hang up|ECONNRESET|EPIPE/);
    assert.match(s.output(), /TLS: refused a client certificate from 127\.0\.0\.1/);
  });

  it('serves a replaced certificate without a restart, on both ports', async () => {
    assert.equal((await handshake(port, { ca: trusted.certPem })).peer.subject.CN, 'first');
    const next = await issueCertificate(await signingCa(trusted), { commonName: 'second', names: ['localhost', '127.0.0.1'], usage: 'server', days: 10 });
    replace(join(dir, 'private.key'), next.keyPem);
    replace(join(dir, 'public.crt'), next.certPem);
    let cn = '';
    for (let i = 0; i < 50 && cn !== 'second'; i++) {
      await sleep(100);
      cn = (await handshake(port, { ca: trusted.certPem })).peer.subject.CN as string;
    }
    assert.equal(cn, 'second');
    assert.equal((await handshake(consolePort, { ca: trusted.certPem })).peer.subject.CN, 'second');
    assert.match(s.output(), /TLS: certificates reloaded from .*CN=second/);
  });

  it('keeps serving the previous certificate when a replaced key does not match', async () => {
    const stray = await issueCertificate(await signingCa(other), { commonName: 'stray', usage: 'server', days: 10 });
    replace(join(dir, 'private.key'), stray.keyPem);
    await sleep(800);
    assert.match(s.output(), /did not load, still serving the previous ones/);
    assert.equal((await handshake(port, { ca: trusted.certPem })).peer.subject.CN, 'second');
  });
});
