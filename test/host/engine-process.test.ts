import assert from 'node:assert/strict';
import { request } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { join } from 'node:path';
import { signRequest } from '../../engine/s3/auth/signer.js';
import { seededBytes, tempDrives } from '../helpers/drives.js';
import { forkEngine, type EngineChild } from '../helpers/engine-child.js';
import { ROOT_PASSWORD, ROOT_USER } from '../helpers/server.js';
import { signedFetch } from '../helpers/signed-fetch.js';

const ROOT_ENV = { GRANARY_ROOT_USER: ROOT_USER, GRANARY_ROOT_PASSWORD: ROOT_PASSWORD, GRANARY_HEALTH_INTERVAL_MS: '200' };

function engineArgs(root: string, drives: string[]): string[] {
  return ['--address', '127.0.0.1:0', '--console-address', '127.0.0.1:0', '--config-dir', join(root, 'config'), ...drives];
}

/**
 * A PUT whose body arrives in two halves: the first is sent once the server
 * has taken the request (100 Continue), `between` runs, then the rest.
 */
function splitPut(endpoint: string, path: string, body: Buffer, between: () => Promise<void>): Promise<{ status: number; text: string }> {
  const url = new URL(endpoint + path);
  const headers = signRequest({
    method: 'PUT',
    url,
    headers: { 'content-length': String(body.length), expect: '100-continue' },
    payloadHash: 'UNSIGNED-PAYLOAD',
    accessKey: ROOT_USER,
    secretKey: ROOT_PASSWORD,
    region: 'us-east-1',
    service: 's3',
  });
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'PUT', headers, agent: false }, (res) => {
      let text = '';
      res.on('data', (d: Buffer) => { text += d.toString(); });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
    });
    req.on('error', reject);
    req.on('continue', () => {
      const half = body.length >> 1;
      req.write(body.subarray(0, half), () => {
        between().then(() => req.end(body.subarray(half)), reject);
      });
    });
  });
}

describe('engine process under a Node parent (IPC host channel)', () => {
  const t = tempDrives(4, 'granary-host');
  let engine: EngineChild;

  before(() => {
    engine = forkEngine(engineArgs(t.root, t.drives), ROOT_ENV);
  });
  after(async () => {
    await engine.kill();
    t.cleanup();
  });

  it('sends ready with URLs that answer, then health messages', async () => {
    const ready = await engine.next('ready');
    assert.ok(ready.s3Url, 'a running engine reports its S3 URL');
    assert.equal(ready.setupUrl, undefined);
    const account = { endpoint: ready.s3Url!, accessKey: ROOT_USER, secretKey: ROOT_PASSWORD };
    assert.equal((await signedFetch(account, 'PUT', '/host-bucket')).status, 200);
    const consoleAnswer = await fetch(`${ready.consoleUrl}/api/v1/setup`);
    assert.deepEqual(await consoleAnswer.json(), { needed: false });

    const first = await engine.next('health');
    assert.equal(first.summary.state, 'ok');
    assert.equal(first.summary.drivesOnline, 4);
    assert.equal(first.summary.drivesTotal, 4);
    assert.deepEqual(first.summary.problems, []);
    // More than one: the engine keeps reporting.
    const seen = engine.messages.length;
    await engine.next('health', seen);
  });

  it('on shutdown finishes the PUT in flight, closes, says stopped and exits 0; the drives reopen with the object', async () => {
    const ready = await engine.next('ready');
    const body = seededBytes(3 * 1024 * 1024 + 17, 7);
    let shutdownSentAt = -1;
    const put = await splitPut(ready.s3Url!, '/host-bucket/in-flight.bin', body, async () => {
      shutdownSentAt = engine.messages.length;
      engine.send({ type: 'shutdown' });
      // Give the shutdown time to begin before the rest of the body arrives (correctness does not depend on it).
      await new Promise((r) => setTimeout(r, 300));
    });
    assert.equal(put.status, 200, put.text);
    const stopped = await engine.next('stopped', shutdownSentAt);
    assert.deepEqual(stopped, { type: 'stopped' });
    assert.deepEqual(await engine.exited, { code: 0, signal: null });
    assert.match(engine.output(), /shutdown requested by the host: finishing requests and closing drives/);

    const again = forkEngine(engineArgs(t.root, t.drives), ROOT_ENV);
    try {
      const r2 = await again.next('ready');
      const account = { endpoint: r2.s3Url!, accessKey: ROOT_USER, secretKey: ROOT_PASSWORD };
      const got = await signedFetch(account, 'GET', '/host-bucket/in-flight.bin');
      assert.equal(got.status, 200);
      assert.ok(Buffer.from(await got.arrayBuffer()).equals(body), 'the object written during shutdown reads back intact');
      const health = await again.next('health');
      assert.equal(health.summary.state, 'ok');
      assert.doesNotMatch(again.output(), /offline|healing|tampered/i);
      again.send({ type: 'shutdown' });
      await again.next('stopped');
      assert.equal((await again.exited).code, 0);
    } finally {
      await again.kill();
    }
  });

  it('a start that fails reports a fatal error and exits non-zero', async () => {
    const bad = forkEngine(['--address', '127.0.0.1:0', '--console-address', '127.0.0.1:0', '--config-dir', join(t.root, 'config2'), '--parity', '9', ...t.drives.map((d) => `${d}-x`)], ROOT_ENV);
    try {
      const err = await bad.next('error');
      assert.equal(err.fatal, true);
      assert.match(err.message, /parity/);
      assert.equal((await bad.exited).code, 1);
      assert.equal(bad.messages.some((m) => m.type === 'ready'), false);
    } finally {
      await bad.kill();
    }
  });
});
