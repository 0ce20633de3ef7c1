import { randomBytes, X509Certificate } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { isIP } from 'node:net';
import { join } from 'node:path';
import { writeFileDurablySync } from '../common/durable-file.js';
import { createCertificateAuthority, issueCertificate, signingCa } from './certificate-issuer.js';
import { CA_CERT_FILE, CA_KEY_FILE, SERVER_CERT_FILE, SERVER_KEY_FILE } from './certs-dir.js';
import { machineNames } from './machine-names.js';

const CA_DAYS = 3650;
/** Apple platforms refuse server certificates valid for more than 825 days even under a user-installed CA; 397 is the public-web limit. */
const SERVER_DAYS = 397;
/** Reissued at start when fewer days than this are left. */
const RENEW_DAYS = 30;

/**
 * `--tls auto`: a local CA (made once, its key 0600, it never leaves this
 * machine) and a server certificate it signs for this machine's names and
 * LAN addresses. The server certificate is reissued at start when it is
 * missing, near expiry, or no longer names every current address (a new
 * DHCP lease); clients that trust the CA keep trusting it.
 */
export async function ensureLocalCertificates(dir: string, log: (line: string) => void): Promise<void> {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const caCertPath = join(dir, CA_CERT_FILE);
  const caKeyPath = join(dir, CA_KEY_FILE);
  if (!existsSync(caCertPath) || !existsSync(caKeyPath)) {
    // A short random tag: two machines' CAs never share a name in a client's trust store.
    const id = randomBytes(3).toString('hex');
    const ca = await createCertificateAuthority(`Granary local CA ${hostname()} ${id}`.slice(0, 64), CA_DAYS);
    writeSecret(caKeyPath, ca.keyPem);
    writeAtomic(caCertPath, ca.certPem, 0o644);
    log(`TLS: created a local certificate authority in ${caCertPath}; its key stays on this machine (${caKeyPath}, 0600)`);
  }
  const names = machineNames();
  const certPath = join(dir, SERVER_CERT_FILE);
  const caPem = readFileSync(caCertPath, 'utf8');
  const why = reissueReason(certPath, names, caPem);
  if (!why) return;
  const signer = await signingCa({ certPem: caPem, keyPem: readFileSync(caKeyPath, 'utf8') });
  const leaf = await issueCertificate(signer, { commonName: hostname().slice(0, 64) || 'localhost', names, usage: 'server', days: SERVER_DAYS });
  // Key first: the reloader sees the pair complete only once the certificate lands.
  writeSecret(join(dir, SERVER_KEY_FILE), leaf.keyPem);
  writeAtomic(certPath, leaf.certPem, 0o644);
  log(`TLS: issued a server certificate (${why}) for ${names.join(', ')}`);
}

/** Why the server certificate must be (re)issued, or undefined when it is fine. */
function reissueReason(certPath: string, names: string[], caPem: string): string | undefined {
  if (!existsSync(certPath)) return 'first start';
  let cert: X509Certificate;
  try {
    cert = new X509Certificate(readFileSync(certPath));
  } catch {
    return 'the old one could not be read';
  }
  if (!cert.checkIssued(new X509Certificate(caPem))) return 'the local CA changed';
  if (Date.parse(cert.validTo) - Date.now() < RENEW_DAYS * 86_400_000) return 'the old one expires soon';
  const missing = names.filter((n) => (isIP(n) ? !cert.checkIP(n) : !cert.checkHost(n)));
  if (missing.length) return `new names or addresses: ${missing.join(', ')}`;
  return undefined;
}

function writeSecret(path: string, text: string): void {
  writeAtomic(path, text, 0o600);
}

/** Write beside, then rename: a reader (or the reloader) never sees half a file. */
function writeAtomic(path: string, text: string, mode: number): void {
  writeFileDurablySync(path, text, { mode });
}
