import { X509Certificate } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { TlsConfigError } from './tls-error.js';

/** MinIO's layout, so an existing certs folder works as it is. */
export const SERVER_CERT_FILE = 'public.crt';
export const SERVER_KEY_FILE = 'private.key';
/** Trusted client CAs: each *.crt / *.pem file in it. */
export const CLIENT_CA_DIR = 'CAs';
/** The local CA of `--tls auto` (its key, ca.key, is never served). */
export const CA_CERT_FILE = 'ca.crt';
export const CA_KEY_FILE = 'ca.key';

/** What one read of a certs folder yields. */
export interface CertMaterial {
  cert: string;
  key: string;
  /** PEM certificates of the client CAs; undefined when there is no CAs/ folder. */
  clientCas?: string[];
  /** The local CA's certificate, offered for download, when the folder has one. */
  localCa?: string;
  /** For log lines: the server certificate's subject, names and expiry. */
  summary: string;
}

export function readCertsDir(dir: string): CertMaterial {
  const cert = readRequired(join(dir, SERVER_CERT_FILE));
  const key = readRequired(join(dir, SERVER_KEY_FILE));
  let summary: string;
  try {
    const x = new X509Certificate(cert);
    summary = `${x.subject.replace(/\n/g, ', ')}; ${x.subjectAltName ?? 'no alternative names'}; valid until ${x.validTo}`;
  } catch (err) {
    throw new TlsConfigError(`${join(dir, SERVER_CERT_FILE)} is not a PEM certificate: ${(err as Error).message}`);
  }
  const caDir = join(dir, CLIENT_CA_DIR);
  const clientCas = existsSync(caDir)
    ? readdirSync(caDir)
        .filter((f) => /\.(crt|pem)$/i.test(f))
        .sort()
        .map((f) => readRequired(join(caDir, f)))
    : undefined;
  const caPath = join(dir, CA_CERT_FILE);
  return { cert, key, summary, ...(clientCas ? { clientCas } : {}), ...(existsSync(caPath) ? { localCa: readRequired(caPath) } : {}) };
}

function readRequired(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    throw new TlsConfigError(`cannot read ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
}
