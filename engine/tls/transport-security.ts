import { X509Certificate } from 'node:crypto';
import { join } from 'node:path';
import { Server, type TlsOptions } from 'node:tls';
import { CertificateReloader } from './certificate-reloader.js';
import { CA_CERT_FILE, readCertsDir } from './certs-dir.js';
import { cipherString } from './cipher-suites.js';
import { refuseUntrustedClientCertificates } from './client-certificates.js';
import { ensureLocalCertificates } from './local-ca.js';
import { checkSecureContext, secureContextOptions, secureServerOptions } from './secure-options.js';

/** `--certs-dir`, `--tls auto` and `--tls-ciphers`. */
export interface TlsConfig {
  /** Generate a local CA and a server certificate (in certsDir, or <config-dir>/tls) when missing. */
  auto?: boolean;
  /** A folder with public.crt, private.key and optionally CAs/. */
  certsDir?: string;
  /** An OpenSSL cipher list; TLS 1.3 suites are added when it names none. */
  ciphers?: string;
}

/** TLS for the engine's listeners (S3 and console): their options, the reloader, the CA to offer. */
export interface TransportSecurity {
  readonly dir: string;
  /** Options for https.createServer / fastify's `https`. */
  serverOptions(): TlsOptions;
  /** After the server exists: follow certificate reloads and enforce client certificates. */
  attach(server: object): void;
  /** The local CA certificate (PEM) clients should trust, when this folder has one. */
  localCaPem(): string | undefined;
  close(): void;
}

export function certsDirFor(config: TlsConfig, configDir: string): string {
  return config.certsDir ?? join(configDir, 'tls');
}

/** Prepares the certificates (generating them for `--tls auto`), checks they load, and starts watching them. */
export async function startTransportSecurity(config: TlsConfig, configDir: string, log: (line: string) => void): Promise<TransportSecurity> {
  const dir = certsDirFor(config, configDir);
  if (config.auto) await ensureLocalCertificates(dir, log);
  const ciphers = cipherString(config.ciphers);
  const material = readCertsDir(dir);
  checkSecureContext(secureContextOptions(material, ciphers));
  const clientCerts = material.clientCas !== undefined;
  log(`TLS: serving ${material.summary} from ${dir}${clientCerts ? `; client certificates from ${material.clientCas!.length} CA file(s) in CAs/` : ''}`);
  if (material.localCa) {
    log(`TLS: clients should trust the local CA ${join(dir, CA_CERT_FILE)} (SHA-256 ${new X509Certificate(material.localCa).fingerprint256}); the console offers it at /api/v1/tls/ca`);
  }
  const reloader = new CertificateReloader(dir, ciphers, material, log);
  return {
    dir,
    // requestCert is fixed per server: a CAs/ folder added or removed later takes a restart; its contents reload.
    serverOptions: () => secureServerOptions(reloader.material, ciphers),
    attach: (server) => {
      if (!(server instanceof Server)) throw new TypeError('attach() needs a TLS server: was it created with serverOptions()?');
      reloader.add(server);
      if (clientCerts) refuseUntrustedClientCertificates(server, log);
    },
    localCaPem: () => reloader.material.localCa,
    close: () => reloader.close(),
  };
}
