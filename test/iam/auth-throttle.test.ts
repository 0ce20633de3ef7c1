import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AuthThrottle, addressBucket, type AuthThrottleOptions, type ThrottleEvent } from '../../engine/iam/auth-throttle.js';

/** A throttle on a hand-driven clock. */
function setup(opts: AuthThrottleOptions = {}) {
  let t = 1_000_000;
  const events: ThrottleEvent[] = [];
  const throttle = new AuthThrottle({ now: () => t, onThrottle: (e) => events.push(e), ...opts });
  return {
    throttle,
    events,
    advance: (ms: number) => (t += ms),
    fail: (key: string | undefined, address: string, n = 1) => {
      for (let i = 0; i < n; i++) throttle.recordFailure(key, address);
    },
  };
}

const KEY = 'AKIAVICTIM';
const IP = '198.51.100.7';

describe('AuthThrottle', () => {
  it('lets failures under the threshold through, then holds the key back', () => {
    const { throttle, fail } = setup();
    fail(KEY, IP, 4);
    assert.deepEqual(throttle.check(KEY, IP), { throttled: false });
    fail(KEY, IP);
    assert.deepEqual(throttle.check(KEY, IP), { throttled: true, retryAfterMs: 1000, by: 'accessKey' });
  });

  it('doubles the hold-back with each failure, up to the cap', () => {
    const { throttle, fail, advance } = setup({ maxDelayMs: 10_000 });
    fail(KEY, IP, 5);
    const waits: number[] = [];
    for (let i = 0; i < 7; i++) {
      const c = throttle.check(KEY, IP);
      assert.equal(c.throttled, true);
      const wait = (c as { retryAfterMs: number }).retryAfterMs;
      waits.push(wait);
      advance(wait);
      assert.deepEqual(throttle.check(KEY, IP), { throttled: false }, 'a hold-back expires by itself');
      fail(KEY, IP);
    }
    assert.deepEqual(waits, [1000, 2000, 4000, 8000, 10_000, 10_000, 10_000]);
  });

  it('extends a hold-back for each failure during it', () => {
    const { throttle, fail, advance } = setup();
    fail(KEY, IP, 5);
    advance(500);
    fail(KEY, IP);
    assert.deepEqual(throttle.check(KEY, IP), { throttled: true, retryAfterMs: 2000, by: 'accessKey' });
  });

  it('forgets failures after a quiet window, counted from the end of the hold-back', () => {
    const { throttle, fail, advance } = setup({ windowMs: 60_000 });
    fail(KEY, IP, 4);
    advance(60_000);
    fail(KEY, IP, 4);
    assert.deepEqual(throttle.check(KEY, IP), { throttled: false }, 'four old failures were forgotten');
    fail(KEY, IP, 4); // 8 failures: held back 8 s
    advance(8_000 + 59_000);
    fail(KEY, IP);
    assert.deepEqual(throttle.check(KEY, IP), { throttled: true, retryAfterMs: 16_000, by: 'accessKey' }, 'remembered: under a window since the hold-back ended');
    advance(16_000 + 60_000);
    assert.deepEqual(throttle.check(KEY, IP), { throttled: false });
    fail(KEY, IP);
    assert.deepEqual(throttle.check(KEY, IP), { throttled: false }, 'forgotten: a full window since the hold-back ended');
    assert.deepEqual(throttle.size, { accessKeys: 1, addresses: 1 });
  });

  it('holds a key back from every address, and leaves other keys alone', () => {
    const { throttle, fail } = setup();
    for (let i = 0; i < 5; i++) fail(KEY, `203.0.113.${i}`);
    assert.deepEqual(throttle.check(KEY, '192.0.2.99'), { throttled: true, retryAfterMs: 1000, by: 'accessKey' });
    assert.deepEqual(throttle.check('AKIAOTHER', '203.0.113.1'), { throttled: false }, 'a good key from one of those addresses');
    assert.deepEqual(throttle.check('AKIAOTHER', '192.0.2.99'), { throttled: false });
  });

  it('holds an address back whatever key it uses, and leaves other addresses alone', () => {
    const { throttle, fail } = setup();
    for (let i = 0; i < 5; i++) fail(`AKIAGUESS${i}`, IP);
    assert.deepEqual(throttle.check('AKIANEW', IP), { throttled: true, retryAfterMs: 1000, by: 'address' });
    assert.deepEqual(throttle.check(undefined, IP), { throttled: true, retryAfterMs: 1000, by: 'address' });
    assert.deepEqual(throttle.check('AKIAGUESS0', '192.0.2.1'), { throttled: false }, 'a key guessed once, from elsewhere');
    fail(undefined, '192.0.2.2', 5);
    assert.deepEqual(throttle.check(undefined, '192.0.2.2'), { throttled: true, retryAfterMs: 1000, by: 'address' }, 'requests naming no key count too');
  });

  it('names the longer wait when both key and address are held back', () => {
    const { throttle, fail } = setup();
    fail(KEY, IP, 5);
    fail('AKIAOTHER', IP, 2); // address: 7 failures, 4 s; KEY: 1 s
    assert.deepEqual(throttle.check(KEY, IP), { throttled: true, retryAfterMs: 4000, by: 'address' });
    fail(KEY, '192.0.2.1', 5); // KEY: 10 failures, 32 s
    assert.deepEqual(throttle.check(KEY, IP), { throttled: true, retryAfterMs: 32_000, by: 'accessKey' });
  });

  it('a success clears the key, not the address', () => {
    const { throttle, fail } = setup();
    fail(KEY, IP, 4);
    throttle.recordSuccess(KEY, IP);
    fail(KEY, IP, 4);
    assert.deepEqual(throttle.check(KEY, '192.0.2.1'), { throttled: false }, 'the key starts over');
    assert.deepEqual(throttle.check('AKIAOTHER', IP), { throttled: true, retryAfterMs: 8000, by: 'address' }, 'the address keeps its 8 failures');
  });

  it('keeps each table within maxEntries, however many names are cycled', () => {
    const { throttle, fail } = setup({ maxEntries: 1000 });
    for (let i = 0; i < 100_000; i++) fail(`AKIA${i}`, `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`);
    assert.deepEqual(throttle.size, { accessKeys: 1000, addresses: 1000 });
    const d = setup();
    for (let i = 0; i < 100_000; i++) d.fail(`AKIA${i}`, IP);
    assert.ok(d.throttle.size.accessKeys <= 10_000);
    assert.equal(d.throttle.size.addresses, 1);
  });

  it('does not let a flood of fresh names evict a held-back key', () => {
    const { throttle, fail } = setup({ maxEntries: 100 });
    fail(KEY, IP, 6);
    for (let i = 0; i < 10_000; i++) fail(`AKIA${i}`, `10.0.${i >> 8}.${i & 255}`);
    assert.equal(throttle.size.accessKeys, 100);
    assert.deepEqual(throttle.check(KEY, '192.0.2.1'), { throttled: true, retryAfterMs: 2000, by: 'accessKey' });
  });

  it('records failures for the console, newest first, and reports hold-backs', () => {
    const { throttle, fail, events } = setup();
    fail(KEY, IP, 5);
    fail(undefined, '192.0.2.1');
    const recent = throttle.recent(3);
    assert.equal(recent.length, 3);
    assert.deepEqual(recent[0], { time: 1_000_000, address: '192.0.2.1', failures: 1, delayMs: 0 });
    assert.deepEqual(recent[1], { time: 1_000_000, accessKey: KEY, address: IP, failures: 5, delayMs: 1000, by: 'accessKey' });
    assert.deepEqual(recent[2], { time: 1_000_000, accessKey: KEY, address: IP, failures: 4, delayMs: 0 });
    assert.equal(throttle.recent().length, 6);
    assert.deepEqual(events, [recent[1]], 'onThrottle hears of hold-backs only');
    for (let i = 0; i < 500; i++) fail(`AKIA${i}`, `10.1.${i >> 8}.${i & 255}`);
    assert.equal(throttle.recent(1000).length, 200, 'the event list is bounded');
    assert.equal(throttle.recent(1)[0].accessKey, 'AKIA499');
  });

  it('survives a listener that throws', () => {
    const throttle = new AuthThrottle({ threshold: 1, onThrottle: () => { throw new Error('log down'); } });
    assert.doesNotThrow(() => throttle.recordFailure(KEY, IP));
    assert.equal(throttle.check(KEY, IP).throttled, true);
  });

  it('refuses nonsensical options', () => {
    assert.throws(() => new AuthThrottle({ threshold: 0 }), RangeError);
    assert.throws(() => new AuthThrottle({ maxEntries: 1.5 }), RangeError);
    assert.throws(() => new AuthThrottle({ windowMs: Number.NaN }), RangeError);
    assert.throws(() => new AuthThrottle({ ipv6PrefixBits: 129 }), RangeError);
  });

  it('counts an IPv6 /64 as one address, and IPv4-mapped addresses as IPv4', () => {
    const { throttle, fail } = setup();
    for (let i = 1; i <= 5; i++) fail(`AKIAGUESS${i}`, `2001:db8:1:2::${i.toString(16)}`);
    assert.equal(throttle.check('AKIANEW', '2001:db8:1:2:ffff:1:2:3').throttled, true);
    assert.equal(throttle.check('AKIANEW', '2001:db8:1:3::1').throttled, false);
    fail('AKIAX', '::ffff:192.0.2.5', 5);
    assert.equal(throttle.check('AKIANEW', '192.0.2.5').throttled, true);
  });
});

describe('addressBucket', () => {
  it('canonicalises addresses', () => {
    assert.equal(addressBucket('192.0.2.1'), '192.0.2.1');
    assert.equal(addressBucket('::ffff:192.0.2.1'), '192.0.2.1');
    assert.equal(addressBucket('2001:DB8::1'), '2001:db8:0:0:0:0:0:0/64');
    assert.equal(addressBucket('2001:db8:0:0:abcd::1', 128), '2001:db8:0:0:abcd:0:0:1');
    assert.equal(addressBucket('2001:db8:aaaa:bbbb:cccc::', 56), '2001:db8:aaaa:bb00:0:0:0:0/56');
    assert.equal(addressBucket('fe80::1%eth0', 128), 'fe80:0:0:0:0:0:0:1');
    assert.equal(addressBucket('::1', 128), '0:0:0:0:0:0:0:1');
    assert.equal(addressBucket('64:ff9b::192.0.2.33', 128), '64:ff9b:0:0:0:0:c000:221');
    assert.equal(addressBucket(''), '');
    assert.equal(addressBucket('not an address'), 'not an address');
  });
});
