import { request } from 'node:https';
import { connect, type ConnectionOptions, type PeerCertificate } from 'node:tls';

export interface Handshake {
  protocol: string | null;
  cipher: string;
  peer: PeerCertificate;
}

/** One TLS handshake to 127.0.0.1:port; rejects with the handshake's error. */
export function handshake(port: number, opts: ConnectionOptions = {}): Promise<Handshake> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port, servername: 'localhost', ...opts }, () => {
      const r = { protocol: socket.getProtocol(), cipher: socket.getCipher().name, peer: socket.getPeerCertificate() };
      socket.end();
      resolve(r);
    });
    socket.once('error', reject);
    socket.setTimeout(10_000, () => socket.destroy(new Error('handshake timed out')));
  });
}

/** A GET over HTTPS with node's client: status and body, or the connection's error. */
export function httpsGet(url: string, opts: { ca?: string; cert?: string; key?: string } = {}): Promise<{ status: number; body: string; headers: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { ...opts, agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => { body += d; });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body, headers: res.headers }));
      res.on('error', reject);
    });
    req.once('error', reject);
    req.setTimeout(10_000, () => req.destroy(new Error('request timed out')));
    req.end();
  });
}
