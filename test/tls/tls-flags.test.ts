import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { UsageError } from '../../engine/cli/args.js';
import { parseServerArgs } from '../../engine/cli/server-command.js';
import { cipherString, TLS13_SUITES } from '../../engine/tls/cipher-suites.js';

describe('TLS flags and cipher list', () => {
  it('parses --tls auto, --certs-dir and --tls-ciphers; none means plain HTTP', () => {
    assert.equal(parseServerArgs(['/d1', '/d2']).tls, undefined);
    assert.deepEqual(parseServerArgs(['--tls', 'auto', '/d1', '/d2']).tls, { auto: true });
    assert.deepEqual(parseServerArgs(['--certs-dir', '/c', '--tls-ciphers', 'ECDHE-RSA-AES128-GCM-SHA256', '/d1', '/d2']).tls, { certsDir: '/c', ciphers: 'ECDHE-RSA-AES128-GCM-SHA256' });
    assert.throws(() => parseServerArgs(['--tls', 'yes', '/d1', '/d2']), UsageError);
    assert.throws(() => parseServerArgs(['--tls-ciphers', 'X', '/d1', '/d2']), UsageError);
    assert.throws(() => parseServerArgs(['--tls', 'off', '--certs-dir', '/c', '/d1', '/d2']), UsageError);
  });

  it('keeps TLS 1.3 on when a custom list names only TLS 1.2 ciphers', () => {
    assert.equal(cipherString('ECDHE-RSA-AES128-GCM-SHA256'), [...TLS13_SUITES, 'ECDHE-RSA-AES128-GCM-SHA256'].join(':'));
    assert.equal(cipherString('TLS_AES_256_GCM_SHA384:ECDHE-RSA-AES128-GCM-SHA256'), 'TLS_AES_256_GCM_SHA384:ECDHE-RSA-AES128-GCM-SHA256');
    for (const c of cipherString().split(':').filter((c) => !c.startsWith('TLS_'))) assert.match(c, /^ECDHE-(ECDSA|RSA)-(AES(128|256)-GCM-SHA(256|384)|CHACHA20-POLY1305)$/);
  });
});
