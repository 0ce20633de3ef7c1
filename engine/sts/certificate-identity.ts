import { GranaryError } from '../common/errors.js';
import { certificateIdentity } from '../iam/certificate-identity.js';
import { sessionDuration } from './duration.js';
import { credentialsXml } from './session-issuer.js';
import type { StsAction } from './sts-action.js';

export const CERTIFICATE_ISSUER = 'certificate';

/**
 * AssumeRoleWithCertificate (MinIO's): on the TLS port, the client
 * certificate verified against CAs/ is the proof. The session's user is the
 * certificate's CN and its policy the one named like the CN; it never
 * outlives the certificate. Untrusted certificates never get here: the TLS
 * layer drops their connections.
 */
export const assumeRoleWithCertificate: StsAction = {
  unsigned: true,
  async run({ deps, form, clientCertificate, sourceAddress }) {
    if (!clientCertificate) {
      throw new GranaryError('AccessDenied', 'AssumeRoleWithCertificate needs an HTTPS connection with a client certificate from a CA in the server\'s CAs/ folder.');
    }
    let durationSeconds = sessionDuration(form.get('DurationSeconds'), deps.limits);
    const now = Date.now();
    const id = certificateIdentity(clientCertificate, now);
    try {
      deps.iam.getPolicy(id.policy);
    } catch {
      deps.audit?.({ api: 'sts', refused: 'AssumeRoleWithCertificate', certificate: id.fingerprint, commonName: id.commonName, sourceAddress, reason: `no policy named ${id.policy}` });
      throw new GranaryError('AccessDenied', `No policy is named like the certificate's common name (${id.commonName}).`);
    }
    durationSeconds = Math.min(durationSeconds, Math.floor((id.notAfter - now) / 1000));
    const creds = await deps.issuer.issue({ parentType: 'federated', parent: id.commonName, policies: [id.policy], issuer: CERTIFICATE_ISSUER, durationSeconds });
    return { Credentials: credentialsXml(creds) };
  },
};
