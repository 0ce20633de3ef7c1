/**
 * TLS 1.3 suites: all three are AEAD with forward secrecy, so they are
 * always offered. Node splits one `ciphers` string into 1.3 suites (names
 * starting with TLS_) and a 1.2 list, and turns TLS 1.3 off when the string
 * names none: a custom 1.2 list must not silently do that.
 */
export const TLS13_SUITES = ['TLS_AES_128_GCM_SHA256', 'TLS_AES_256_GCM_SHA384', 'TLS_CHACHA20_POLY1305_SHA256'];

/** TLS 1.2: ECDHE (forward secrecy) with AES-GCM or ChaCha20-Poly1305 only; no CBC, no RSA key exchange. */
export const DEFAULT_TLS12_CIPHERS = [
  'ECDHE-ECDSA-AES128-GCM-SHA256',
  'ECDHE-RSA-AES128-GCM-SHA256',
  'ECDHE-ECDSA-AES256-GCM-SHA384',
  'ECDHE-RSA-AES256-GCM-SHA384',
  'ECDHE-ECDSA-CHACHA20-POLY1305',
  'ECDHE-RSA-CHACHA20-POLY1305',
];

/** The OpenSSL cipher string for `--tls-ciphers` (colon-separated, as OpenSSL writes it), or the default. */
export function cipherString(custom?: string): string {
  const named = custom?.split(':').map((c) => c.trim()).filter(Boolean) ?? DEFAULT_TLS12_CIPHERS;
  const has13 = named.some((c) => c.startsWith('TLS_'));
  return [...(has13 ? [] : TLS13_SUITES), ...named].join(':');
}
