import { X509Certificate } from 'node:crypto';
import { GranaryError } from '../common/errors.js';

/** What a verified client certificate stands for (AssumeRoleWithCertificate). */
export interface CertificateIdentity {
  /** The subject's common name: the session's user name and the name of its policy. */
  commonName: string;
  /** MinIO's mapping: the policy named exactly like the CN. */
  policy: string;
  /** Epoch ms: credentials from the certificate never outlive it. */
  notAfter: number;
  /** SHA-256 fingerprint, for audit entries. */
  fingerprint: string;
  serialNumber: string;
}

const CLIENT_AUTH_OID = '1.3.6.1.5.5.7.3.2';
const ANY_EKU_OID = '2.5.29.37.0';
const POLICY_NAME_RE = /^[\w+=,.@-]{1,128}$/;

/**
 * Maps a client certificate that TLS already verified against the CAs/
 * folder (engine/tls) to an identity, as MinIO does: it must be meant for
 * client authentication (extended key usage clientAuth, when it states its
 * usages), be valid now, and carry exactly one CN; that CN names the policy
 * (which the caller checks exists). Never call it with an unverified
 * certificate: the chain is not checked here.
 */
export function certificateIdentity(der: Buffer, now = Date.now()): CertificateIdentity {
  let cert: X509Certificate;
  try {
    cert = new X509Certificate(der);
  } catch {
    throw new GranaryError('AccessDenied', 'The client certificate could not be read.');
  }
  const notBefore = Date.parse(cert.validFrom);
  const notAfter = Date.parse(cert.validTo);
  if (!(notBefore <= now && now < notAfter)) throw new GranaryError('AccessDenied', 'The client certificate is not valid at this time.');
  const usages = cert.keyUsage;
  if (usages !== undefined && !usages.includes(CLIENT_AUTH_OID) && !usages.includes(ANY_EKU_OID)) {
    throw new GranaryError('AccessDenied', 'The client certificate is not meant for client authentication (extended key usage clientAuth).');
  }
  const cns = cert.subject.split('\n').filter((l) => l.startsWith('CN=')).map((l) => l.slice(3));
  if (cns.length !== 1) throw new GranaryError('AccessDenied', `The client certificate's subject has ${cns.length} common names; exactly one names its policy.`);
  const cn = cns[0];
  if (!POLICY_NAME_RE.test(cn)) throw new GranaryError('AccessDenied', 'The client certificate\'s common name is not a possible policy name (1 to 128 letters, digits or _+=,.@- characters).');
  return { commonName: cn, policy: cn, notAfter, fingerprint: cert.fingerprint256, serialNumber: cert.serialNumber };
}
