import type { Socket } from 'node:net';
import { TLSSocket, type PeerCertificate, type Server } from 'node:tls';

/**
 * Refuses a connection whose client presented a certificate that does not
 * chain to a trusted client CA, right after the handshake and before any
 * request is read. A client that presents none is let through: it signs its
 * requests with keys (the server runs with rejectUnauthorized: false so that
 * such clients are not cut off during the handshake).
 */
export function refuseUntrustedClientCertificates(server: Server, log: (line: string) => void): void {
  server.on('secureConnection', (socket: TLSSocket) => {
    if (socket.authorized || !presentedCertificate(socket)) return;
    log(`TLS: refused a client certificate from ${socket.remoteAddress ?? '?'}: ${String(socket.authorizationError)}`);
    socket.destroy();
  });
}

/** The client certificate of a request's connection when it was presented and verified (for STS AssumeRoleWithCertificate). */
export function verifiedClientCertificate(socket: Socket): PeerCertificate | undefined {
  if (!(socket instanceof TLSSocket) || !socket.authorized) return undefined;
  return presentedCertificate(socket);
}

function presentedCertificate(socket: TLSSocket): PeerCertificate | undefined {
  const peer = socket.getPeerCertificate();
  // Node returns an empty object, not null, when the client sent no certificate.
  return peer && Object.keys(peer).length > 0 ? peer : undefined;
}
