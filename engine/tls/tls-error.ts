/** A TLS setting that cannot be served: missing or unreadable certificate files, a key that does not match, a bad cipher list. */
export class TlsConfigError extends Error {
  override readonly name = 'TlsConfigError';
}
