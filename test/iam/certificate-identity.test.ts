import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { describe, test } from 'node:test';
import { certificateIdentity } from '../../engine/iam/certificate-identity.js';
import { GranaryError } from '../../engine/common/errors.js';
import { createCertificateAuthority, issueCertificate, signingCa } from '../../engine/tls/certificate-issuer.js';
import { generateKeyPair, KEY_ALGORITHM, x509 } from '../../engine/tls/x509-library.js';

/** Certificate → identity: the CN names the policy (MinIO's mapping), with the certificate's own limits. */
const der = (pem: string) => new X509Certificate(pem).raw;

function refused(fn: () => unknown, why: RegExp): void {
  assert.throws(fn, (e: unknown) => e instanceof GranaryError && e.code === 'AccessDenied' && why.test(e.message));
}

describe('certificate identity', () => {
  test('a client certificate maps to the policy named like its CN, and the credentials end with it', async () => {
    const ca = await signingCa(await createCertificateAuthority('test CA', 3));
    const leaf = await issueCertificate(ca, { commonName: 'backup-robot', usage: 'client', days: 2 });
    const id = certificateIdentity(der(leaf.certPem));
    assert.equal(id.commonName, 'backup-robot');
    assert.equal(id.policy, 'backup-robot');
    assert.equal(id.notAfter, Date.parse(new X509Certificate(leaf.certPem).validTo));
    assert.match(id.fingerprint, /^[0-9A-F:]+$/);
  });

  test('a server-only certificate, a certificate past its end and a CN that cannot name a policy are refused', async () => {
    const ca = await signingCa(await createCertificateAuthority('test CA', 3));
    const server = await issueCertificate(ca, { commonName: 'web', usage: 'server', days: 2 });
    refused(() => certificateIdentity(der(server.certPem)), /client authentication/);
    const client = await issueCertificate(ca, { commonName: 'robot', usage: 'client', days: 2 });
    refused(() => certificateIdentity(der(client.certPem), Date.now() + 5 * 86_400_000), /not valid at this time/);
    const spaced = await issueCertificate(ca, { commonName: 'two words', usage: 'client', days: 2 });
    refused(() => certificateIdentity(der(spaced.certPem)), /not a possible policy name/);
    refused(() => certificateIdentity(Buffer.from('not a certificate')), /could not be read/);
  });

  test('a subject with two CNs, or none, is refused', async () => {
    const keys = await generateKeyPair();
    const make = (name: string) => x509.X509CertificateGenerator.createSelfSigned({ serialNumber: '01', name, notBefore: new Date(Date.now() - 60_000), notAfter: new Date(Date.now() + 86_400_000), keys, signingAlgorithm: KEY_ALGORITHM });
    const two = await make('CN=alpha, CN=beta, O=x');
    refused(() => certificateIdentity(Buffer.from(two.rawData)), /2 common names/);
    const none = await make('O=nobody');
    refused(() => certificateIdentity(Buffer.from(none.rawData)), /0 common names/);
  });
});
