import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { connect } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { signRequest } from '../../engine/s3/auth/signer.js';
import { prng } from '../helpers/drives.js';
import { startServer, type RunningServer } from '../helpers/server.js';

interface RawRequest { method: string; target: string; headers: [string, string][]; body: Buffer }

function serialize(r: RawRequest): Buffer {
  const head = `${r.method} ${r.target} HTTP/1.1\r\n${r.headers.map(([k, v]) => `${k}: ${v}\r\n`).join('')}\r\n`;
  return Buffer.concat([Buffer.from(head, 'latin1'), r.body]);
}

/** Every header is signed, so no mutation of one can pass as a different valid request. */
function signed(s: RunningServer, method: string, target: string, body: Buffer): RawRequest {
  const url = new URL(target, s.endpoint);
  const headers: Record<string, string> = { host: url.host, 'content-length': String(body.length), 'x-amz-content-sha256': createHash('sha256').update(body).digest('hex') };
  const out = signRequest({ method, url, headers, payloadHash: headers['x-amz-content-sha256'], accessKey: s.accessKey, secretKey: s.secretKey, region: 'us-east-1', service: 's3', signAll: true });
  return { method, target, headers: Object.entries(out), body };
}

/** The request as the server must understand it: header names' case and runs of spaces do not count. */
function meaning(raw: Buffer): string | null {
  const text = raw.toString('latin1');
  const end = text.indexOf('\r\n\r\n');
  if (end < 0) return null;
  const [line, ...lines] = text.slice(0, end).split('\r\n');
  const headers = lines.map((l) => {
    const i = l.indexOf(':');
    if (i < 0) return l;
    const name = l.slice(0, i).toLowerCase();
    let value = l.slice(i + 1).trim().replace(/\s+/g, ' ');
    // The Authorization header's fields are comma-separated; spaces around the commas do not count.
    if (name === 'authorization') value = value.split(',').map((f) => f.trim()).join(',');
    return `${name}:${value}`;
  });
  // Bytes past Content-Length are the next request on the connection, not part of this one.
  const length = headers.find((h) => h.startsWith('content-length:'));
  const n = length && /^\d+$/.test(length.slice(15)) ? Number(length.slice(15)) : 0;
  return JSON.stringify([line.trim().split(/ +/).join(' '), headers.sort(), text.slice(end + 4, end + 4 + n)]);
}

function send(port: number, data: Buffer): Promise<number | null> {
  return new Promise((resolve) => {
    const sock = connect(port, '127.0.0.1');
    let buf = '';
    const done = (v: number | null) => { sock.destroy(); resolve(v); };
    sock.setTimeout(3000, () => done(null));
    sock.on('data', (d) => {
      buf += d.toString('latin1');
      const m = /^HTTP\/1\.1 (\d{3})/.exec(buf);
      if (m) done(Number(m[1]));
    });
    sock.on('error', () => done(null));
    sock.on('close', () => done(null));
    // Half-close only later: a mutated Content-Length that promises more body then ends in EOF, not a wait.
    sock.write(data);
    setTimeout(() => sock.end(), 250);
  });
}

describe('fuzz: mutated signed requests', () => {
  let s: RunningServer;
  let port: number;
  before(async () => {
    // Thousands of bad signatures in a minute would otherwise be answered SlowDown, and the fuzz would test only the throttle.
    s = await startServer({ args: ['--auth-throttle', '0'] });
    port = Number(new URL(s.endpoint).port);
    assert.equal(await send(port, serialize(signed(s, 'PUT', '/fuzz', Buffer.alloc(0)))), 200);
    assert.equal(await send(port, serialize(signed(s, 'PUT', '/fuzz/existing', Buffer.from('original')))), 200);
  });
  after(async () => {
    await s?.stop();
  });

  it('10,000 seeded mutations: none accepted, no 5xx, the server still answers', { timeout: 240_000 }, async () => {
    const rand = prng(0xf022);
    const bases = [
      serialize(signed(s, 'PUT', '/fuzz/target?x-id=PutObject', Buffer.from('payload that must not be stored'))),
      serialize(signed(s, 'GET', '/fuzz/existing', Buffer.alloc(0))),
      serialize(signed(s, 'GET', '/fuzz?list-type=2&prefix=e&max-keys=5', Buffer.alloc(0))),
      serialize(signed(s, 'DELETE', '/fuzz/existing', Buffer.alloc(0))),
    ];
    const originals = bases.map(meaning);
    let tried = 0;
    let neutral = 0;
    const statuses = new Map<number | null, number>();
    const one = async () => {
      const b = Math.floor(rand() * bases.length);
      const base = bases[b];
      const m = Buffer.from(base);
      const pos = Math.floor(rand() * m.length);
      const kind = rand();
      let mutated: Buffer;
      if (kind < 0.4) {
        m[pos] ^= 1 << Math.floor(rand() * 8);
        mutated = m;
      } else if (kind < 0.7) {
        mutated = Buffer.concat([m.subarray(0, pos), Buffer.from([32 + Math.floor(rand() * 95)]), m.subarray(pos)]);
      } else {
        mutated = Buffer.concat([m.subarray(0, pos), m.subarray(pos + 1)]);
      }
      if (meaning(mutated) === originals[b]) {
        neutral++;
        return;
      }
      tried++;
      const status = await send(port, mutated);
      statuses.set(status, (statuses.get(status) ?? 0) + 1);
      assert.ok(status === null || status < 200 || status >= 300, `mutation accepted (${status}): ${JSON.stringify(mutated.toString('latin1'))}`);
      assert.ok(status === null || status < 500, `server error ${status}: ${JSON.stringify(mutated.toString('latin1'))}`);
    };
    while (tried < 10_000) await Promise.all(Array.from({ length: 16 }, one));
    assert.ok(tried >= 10_000);
    // Still alive, and nothing a mutation sent was stored or removed.
    assert.equal(await send(port, serialize(signed(s, 'GET', '/fuzz/existing', Buffer.alloc(0)))), 200);
    assert.equal(await send(port, serialize(signed(s, 'HEAD', '/fuzz/target', Buffer.alloc(0)))), 404);
    console.log(`fuzz: ${tried} mutations (${neutral} neutral skipped), statuses ${JSON.stringify([...statuses])}`);
  });
});
