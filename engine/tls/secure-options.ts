import { createSecureContext, type SecureContextOptions, type TlsOptions } from 'node:tls';
import type { CertMaterial } from './certs-dir.js';
import { TlsConfigError } from './tls-error.js';

/** What a certificate reload swaps (setSecureContext): the certificate, key, client CAs and the protocol policy. */
export function secureContextOptions(m: CertMaterial, ciphers: string): SecureContextOptions {
  return {
    cert: m.cert,
    key: m.key,
    // Only CAs/ vouches for client certificates: not the public web's roots.
    ...(m.clientCas ? { ca: m.clientCas } : {}),
    minVersion: 'TLSv1.2',
    // The highest both sides speak wins, so 1.3 whenever the client has it.
    maxVersion: 'TLSv1.3',
    ciphers,
    honorCipherOrder: true,
  };
}

/**
 * The server's options. With a CAs/ folder a client certificate is asked
 * for but not required (rejectUnauthorized: false): S3 clients with keys
 * and browsers present none and must still connect. One that is presented
 * and does not chain to CAs/ is refused by client-certificates.ts.
 */
export function secureServerOptions(m: CertMaterial, ciphers: string): TlsOptions {
  return { ...secureContextOptions(m, ciphers), requestCert: m.clientCas !== undefined, rejectUnauthorized: false };
}

/** Builds the context once so a bad key pair or cipher list is an error at start or reload, not on the first handshake. */
export function checkSecureContext(opts: SecureContextOptions): void {
  try {
    createSecureContext(opts);
  } catch (err) {
    throw new TlsConfigError(`the TLS settings cannot be used: ${(err as Error).message}`);
  }
}
