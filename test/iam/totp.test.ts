import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import { Secret, TOTP } from 'otpauth';
import { newRecoveryCodes, newTotpSecret, totpStep, useRecoveryCode, verifyTotp } from '../../engine/iam/totp.js';

/** RFC 6238 Appendix B, SHA1 column: the key is the ASCII string "12345678901234567890". */
const RFC_KEY = Secret.fromLatin1('12345678901234567890');
const RFC_SECRET = RFC_KEY.base32;
const RFC_VECTORS: [seconds: number, code: string][] = [
  [59, '94287082'],
  [1111111109, '07081804'],
  [1111111111, '14050471'],
  [1234567890, '89005924'],
  [2000000000, '69279037'],
];

// Tests that compare codes use the fixed RFC key, so a chance collision of two
// 6-digit codes (one in a million) is a fixed fact, not a flaky run.

/** The code an authenticator app would show at `ms`. */
function codeAt(secret: string, ms: number): string {
  return TOTP.generate({ secret: Secret.fromBase32(secret), algorithm: 'SHA1', digits: 6, period: 30, timestamp: ms });
}

describe('TOTP', () => {
  it('matches the RFC 6238 SHA1 test vectors', () => {
    assert.equal(RFC_SECRET, 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ');
    for (const [seconds, code] of RFC_VECTORS) {
      // The library at 8 digits reproduces the RFC's table …
      assert.equal(TOTP.generate({ secret: RFC_KEY, algorithm: 'SHA1', digits: 8, period: 30, timestamp: seconds * 1000 }), code, `t=${seconds}`);
      // … and a 6-digit code is its last six digits (the same value mod 10^6), which verifyTotp accepts at its step.
      const result = verifyTotp(RFC_SECRET, code.slice(2), { now: seconds * 1000 });
      assert.deepEqual(result, { ok: true, step: Math.floor(seconds / 30) }, `t=${seconds}`);
    }
  });

  it('makes a fresh 160-bit secret and an otpauth URI for the QR code', () => {
    const a = newTotpSecret('Granary', 'admin@example.com');
    const b = newTotpSecret('Granary', 'admin@example.com');
    assert.notEqual(a.secret, b.secret);
    assert.match(a.secret, /^[A-Z2-7]{32}$/);
    const uri = new URL(a.uri);
    assert.equal(uri.protocol, 'otpauth:');
    assert.equal(uri.host, 'totp');
    assert.equal(decodeURIComponent(uri.pathname), '/Granary:admin@example.com');
    assert.equal(uri.searchParams.get('secret'), a.secret);
    assert.equal(uri.searchParams.get('issuer'), 'Granary');
    assert.equal(uri.searchParams.get('algorithm'), 'SHA1');
    assert.equal(uri.searchParams.get('digits'), '6');
    assert.equal(uri.searchParams.get('period'), '30');
    const now = Date.now();
    assert.equal(verifyTotp(a.secret, codeAt(a.secret, now), { now }).ok, true);
  });

  it('accepts one step of clock drift either way, not two', () => {
    const secret = RFC_SECRET;
    const now = 1_700_000_015_000;
    const step = totpStep(now);
    for (const offset of [-1, 0, 1]) {
      assert.deepEqual(verifyTotp(secret, codeAt(secret, now + offset * 30_000), { now }), { ok: true, step: step + offset }, `offset ${offset}`);
    }
    for (const offset of [-2, 2, 10]) {
      assert.deepEqual(verifyTotp(secret, codeAt(secret, now + offset * 30_000), { now }), { ok: false }, `offset ${offset}`);
    }
  });

  it('refuses a code at or before the last used step', () => {
    const secret = RFC_SECRET;
    const now = 1_700_000_000_000;
    const code = codeAt(secret, now);
    const first = verifyTotp(secret, code, { now });
    assert.equal(first.ok, true);
    const lastUsedStep = (first as { step: number }).step;
    // The same code again, a few seconds later and still within its window.
    assert.deepEqual(verifyTotp(secret, code, { now: now + 5_000, lastUsedStep }), { ok: false });
    assert.deepEqual(verifyTotp(secret, code, { now: now + 30_000, lastUsedStep }), { ok: false });
    // An older code still within the drift window is refused too.
    assert.deepEqual(verifyTotp(secret, codeAt(secret, now - 30_000), { now, lastUsedStep }), { ok: false });
    // The next step's code is fresh.
    assert.deepEqual(verifyTotp(secret, codeAt(secret, now + 30_000), { now: now + 30_000, lastUsedStep }), { ok: true, step: lastUsedStep + 1 });
  });

  it('tolerates spaces in a typed code', () => {
    const secret = RFC_SECRET;
    const now = 1_700_000_000_000;
    const code = codeAt(secret, now);
    assert.equal(verifyTotp(secret, ` ${code.slice(0, 3)} ${code.slice(3)} `, { now }).ok, true);
  });

  it('says not ok to garbage, never throws', () => {
    const secret = RFC_SECRET;
    const now = 1_700_000_000_000;
    const good = codeAt(secret, now);
    const bad: unknown[] = ['', '12345', '1234567', good + '0', 'abcdef', '12345a', '١٢٣٤٥٦', '12-456', '+12345', '1e5000', '0x1234', '9'.repeat(10_000), null, undefined, 123456];
    for (const code of bad) assert.deepEqual(verifyTotp(secret, code as string, { now }), { ok: false }, JSON.stringify(code)?.slice(0, 20));
    for (const s of ['', 'not base32!', '0000', 'GEZDGNBV', '====']) assert.deepEqual(verifyTotp(s, good, { now }), { ok: false }, `secret ${s}`);
    assert.deepEqual(verifyTotp(secret, good), { ok: false }, 'an old code at the real time');
    assert.equal(verifyTotp(secret, good, { now: 0 }).ok, false);
  });
});

describe('recovery codes', () => {
  it('makes distinct codes and stores only their sha256', () => {
    const { codes, hashes } = newRecoveryCodes();
    assert.equal(codes.length, 10);
    assert.equal(hashes.length, 10);
    assert.equal(new Set(codes).size, 10);
    for (const [i, code] of codes.entries()) {
      assert.match(code, /^[a-z2-7]{4}-[a-z2-7]{4}-[a-z2-7]{4}$/);
      assert.equal(hashes[i], createHash('sha256').update(code.replaceAll('-', '')).digest('hex'));
    }
    assert.equal(newRecoveryCodes(3).codes.length, 3);
    assert.throws(() => newRecoveryCodes(0), RangeError);
  });

  it('spends each code once, whatever its case, dashes or spaces', () => {
    const { codes, hashes } = newRecoveryCodes(4);
    const first = useRecoveryCode(hashes, ` ${codes[2].toUpperCase().replaceAll('-', ' ')} `);
    assert.equal(first.ok, true);
    const remaining = (first as { remaining: string[] }).remaining;
    assert.deepEqual(remaining, [hashes[0], hashes[1], hashes[3]]);
    assert.deepEqual(useRecoveryCode(remaining, codes[2]), { ok: false }, 'a spent code');
    const second = useRecoveryCode(remaining, codes[0].replaceAll('-', ''));
    assert.deepEqual(second, { ok: true, remaining: [hashes[1], hashes[3]] });
  });

  it('refuses unknown and malformed codes, never throws', () => {
    const { hashes } = newRecoveryCodes(2);
    for (const code of ['', 'aaaa-aaaa-aaaa', 'aaaa-aaaa-aaa', '0000-0000-0000', 'x'.repeat(1000), null, undefined]) {
      assert.deepEqual(useRecoveryCode(hashes, code as string), { ok: false }, String(code).slice(0, 20));
    }
    assert.deepEqual(useRecoveryCode([], 'aaaa-aaaa-aaaa'), { ok: false });
    // A damaged stored list is skipped over, not thrown at.
    const { codes, hashes: good } = newRecoveryCodes(1);
    assert.deepEqual(useRecoveryCode(['', 'zz', 'abc', good[0]], codes[0]), { ok: true, remaining: ['', 'zz', 'abc'] });
  });
});
