import type { TlsConfig } from '../tls/transport-security.js';
import { UsageError } from './args.js';

/** The server's TLS flags, valued. */
export const TLS_FLAGS = ['tls', 'certs-dir', 'tls-ciphers'] as const;

export const TLS_USAGE = '[--tls auto|off] [--certs-dir DIR] [--tls-ciphers LIST]';

/**
 * `--certs-dir DIR` serves DIR's public.crt / private.key (and CAs/);
 * `--tls auto` generates a local CA and server certificate (into DIR when
 * given, else <config-dir>/tls). Neither: plain HTTP.
 */
export function parseTlsFlags(flags: Map<string, string>): TlsConfig | undefined {
  const mode = flags.get('tls');
  if (mode !== undefined && mode !== 'auto' && mode !== 'off') throw new UsageError(`--tls ${mode}: expected auto or off`);
  const certsDir = flags.get('certs-dir');
  const ciphers = flags.get('tls-ciphers');
  if (mode === 'off') {
    if (certsDir !== undefined || ciphers !== undefined) throw new UsageError('--tls off cannot be combined with --certs-dir or --tls-ciphers');
    return undefined;
  }
  if (mode !== 'auto' && certsDir === undefined) {
    if (ciphers !== undefined) throw new UsageError('--tls-ciphers needs --tls auto or --certs-dir');
    return undefined;
  }
  if (ciphers !== undefined && !/^[A-Za-z0-9_:+!@=.-]+$/.test(ciphers)) throw new UsageError(`--tls-ciphers ${ciphers} is not an OpenSSL cipher list`);
  return { ...(mode === 'auto' ? { auto: true } : {}), ...(certsDir !== undefined ? { certsDir } : {}), ...(ciphers !== undefined ? { ciphers } : {}) };
}
