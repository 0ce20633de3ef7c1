import { createHash } from 'node:crypto';
import { existsSync, watch, type FSWatcher } from 'node:fs';
import { join } from 'node:path';
import type { Server } from 'node:tls';
import { CLIENT_CA_DIR, readCertsDir, type CertMaterial } from './certs-dir.js';
import { checkSecureContext, secureContextOptions } from './secure-options.js';

/** Editors and `cp` write a file in several events, and a pair in two files: wait for the burst to settle. */
const SETTLE_MS = 300;

/**
 * Watches a certs folder (the folder, not the files: a renamed-in file is a
 * new inode that a file watch would miss) and swaps a changed certificate,
 * key or CA list into every attached server without a restart. A pair that
 * does not load (half written, key not matching) is logged and the previous
 * one goes on serving until the next change.
 */
export class CertificateReloader {
  private readonly servers = new Set<Server>();
  private readonly watchers: FSWatcher[] = [];
  private timer: NodeJS.Timeout | undefined;
  private fingerprint: string;

  constructor(
    private readonly dir: string,
    private readonly ciphers: string,
    private current: CertMaterial,
    private readonly log: (line: string) => void,
  ) {
    this.fingerprint = fingerprintOf(current);
    for (const d of [dir, join(dir, CLIENT_CA_DIR)]) {
      if (!existsSync(d)) continue;
      const w = watch(d, () => this.schedule());
      // Never what keeps the process alive.
      w.unref();
      w.on('error', (err) => this.log(`TLS: stopped watching ${d}: ${err.message}`));
      this.watchers.push(w);
    }
  }

  get material(): CertMaterial {
    return this.current;
  }

  add(server: Server): void {
    this.servers.add(server);
    server.once('close', () => this.servers.delete(server));
  }

  close(): void {
    clearTimeout(this.timer);
    for (const w of this.watchers) w.close();
  }

  private schedule(): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.reload(), SETTLE_MS);
    this.timer.unref();
  }

  /** Reads the folder again; public so a test or a signal handler can force it. */
  reload(): boolean {
    let next: CertMaterial;
    try {
      next = readCertsDir(this.dir);
      checkSecureContext(secureContextOptions(next, this.ciphers));
    } catch (err) {
      this.log(`TLS: certificates in ${this.dir} did not load, still serving the previous ones: ${(err as Error).message}`);
      return false;
    }
    const fp = fingerprintOf(next);
    if (fp === this.fingerprint) return false;
    for (const s of this.servers) s.setSecureContext(secureContextOptions(next, this.ciphers));
    this.current = next;
    this.fingerprint = fp;
    this.log(`TLS: certificates reloaded from ${this.dir}: ${next.summary}`);
    return true;
  }
}

function fingerprintOf(m: CertMaterial): string {
  return createHash('sha256').update(JSON.stringify([m.cert, m.key, m.clientCas ?? null, m.localCa ?? null])).digest('hex');
}
