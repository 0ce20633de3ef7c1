import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checkRequestOrigin, isLoopbackHost } from '../../engine/console/request-origin.js';

const refused = (headers: { host?: string; origin?: string }, secure = false, loopbackOnly = true) =>
  assert.throws(() => checkRequestOrigin(headers, secure, { loopbackOnly }), (e: Error & { code?: string }) => e.code === 'CrossOriginRequest' || e.code === 'InvalidRequest', JSON.stringify(headers));

test('loopback names', () => {
  for (const h of ['127.0.0.1', '127.1.2.3', '::1', '[::1]', 'localhost', 'app.localhost', '::ffff:127.0.0.1']) assert.equal(isLoopbackHost(h), true, h);
  for (const h of ['0.0.0.0', '::', '192.168.1.5', 'example.com', 'localhost.example.com', '128.0.0.1']) assert.equal(isLoopbackHost(h), false, h);
});

test('same-origin requests pass, with or without an Origin header', () => {
  checkRequestOrigin({ host: '127.0.0.1:9001' }, false, { loopbackOnly: true });
  checkRequestOrigin({ host: '127.0.0.1:9001', origin: 'http://127.0.0.1:9001' }, false, { loopbackOnly: true });
  checkRequestOrigin({ host: 'LOCALHOST:9001', origin: 'http://localhost:9001' }, false, { loopbackOnly: true });
  checkRequestOrigin({ host: 'nas.lan', origin: 'https://nas.lan' }, true, { loopbackOnly: false });
  checkRequestOrigin({ host: 'nas.lan:443', origin: 'https://nas.lan' }, true, { loopbackOnly: false });
});

test('foreign origins, other ports and schemes, and rebound names are refused', () => {
  refused({ host: '127.0.0.1:9001', origin: 'http://evil.example' });
  refused({ host: '127.0.0.1:9001', origin: 'http://127.0.0.1:9000' });
  refused({ host: '127.0.0.1:9001', origin: 'https://127.0.0.1:9001' });
  refused({ host: '127.0.0.1:9001', origin: 'null' });
  refused({ host: '127.0.0.1:9001', origin: 'not a url' });
  refused({ host: 'evil.example:9001', origin: 'http://evil.example:9001' });
  refused({ host: 'evil.example:9001' });
  refused({});
  refused({ host: 'a@b' }, false, false);
  refused({ host: 'nas.lan', origin: 'http://nas.lan.evil.example' }, false, false);
});
