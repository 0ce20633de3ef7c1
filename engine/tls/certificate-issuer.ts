import { randomBytes } from 'node:crypto';
import { isIP } from 'node:net';
import { generateKeyPair, importPrivateKeyPem, KEY_ALGORITHM, privateKeyPem, x509, type CryptoKey } from './x509-library.js';

/** A certificate with its private key, both PEM. */
export interface IssuedCertificate {
  certPem: string;
  keyPem: string;
}

/** The CA that signs: its certificate and its (imported) private key. */
export interface SigningCa {
  cert: x509.X509Certificate;
  privateKey: CryptoKey;
}

const DAY_MS = 86_400_000;

/** A CA from its PEM certificate and key, ready to sign. */
export async function signingCa(ca: IssuedCertificate): Promise<SigningCa> {
  return { cert: new x509.X509Certificate(ca.certPem), privateKey: await importPrivateKeyPem(ca.keyPem) };
}

/**
 * Random positive 128-bit serials: a reissued certificate never repeats
 * issuer + serial (Firefox refuses a reused pair outright).
 */
function serialNumber(): string {
  const b = randomBytes(16);
  b[0] = b[0]! & 0x7f | 0x10;
  return b.toString('hex');
}

/** A CA that may sign end-entity certificates only (path length 0). */
export async function createCertificateAuthority(commonName: string, days: number): Promise<IssuedCertificate> {
  const keys = await generateKeyPair();
  const now = Date.now();
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: serialNumber(),
    name: [{ CN: [commonName] }, { O: ['Granary'] }],
    // An hour back: clients whose clocks run a little behind still accept it.
    notBefore: new Date(now - 3_600_000),
    notAfter: new Date(now + days * DAY_MS),
    keys,
    signingAlgorithm: KEY_ALGORITHM,
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  return { certPem: cert.toString('pem'), keyPem: await privateKeyPem(keys.privateKey) };
}

export interface LeafRequest {
  commonName: string;
  /** DNS names and IP addresses (v4 or v6) for a server; may be empty for a client. */
  names?: string[];
  usage: 'server' | 'client';
  days: number;
}

/** An end-entity certificate signed by `ca`, with a fresh key pair. */
export async function issueCertificate(ca: SigningCa, req: LeafRequest): Promise<IssuedCertificate> {
  const keys = await generateKeyPair();
  const now = Date.now();
  const names = (req.names ?? []).map((n) => ({ type: isIP(n) ? ('ip' as const) : ('dns' as const), value: n }));
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: serialNumber(),
    subject: [{ CN: [req.commonName] }, { O: ['Granary'] }],
    issuer: ca.cert.subject,
    notBefore: new Date(now - 3_600_000),
    // Never past the CA's own expiry.
    notAfter: new Date(Math.min(now + req.days * DAY_MS, ca.cert.notAfter.getTime())),
    publicKey: keys.publicKey,
    signingKey: ca.privateKey,
    signingAlgorithm: KEY_ALGORITHM,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
      new x509.ExtendedKeyUsageExtension([req.usage === 'server' ? x509.ExtendedKeyUsage.serverAuth : x509.ExtendedKeyUsage.clientAuth]),
      ...(names.length ? [new x509.SubjectAlternativeNameExtension(names)] : []),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
      await x509.AuthorityKeyIdentifierExtension.create(ca.cert),
    ],
  });
  return { certPem: cert.toString('pem'), keyPem: await privateKeyPem(keys.privateKey) };
}
