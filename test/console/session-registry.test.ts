import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SessionRegistry } from '../../engine/console/session-registry.js';

test('sessions are live until they expire, are revoked, or are crowded out', () => {
  let now = 1_000;
  const r = new SessionRegistry(3, () => now);
  r.add('a', { sub: 'alice', expiresAt: 2_000, credential: 't' });
  r.add('b', { sub: 'bob', expiresAt: 5_000, credential: 't' });
  r.add('c', { sub: 'alice', expiresAt: 5_000, credential: 't' });
  assert.equal(r.isLive('a'), true);
  now = 2_000;
  assert.equal(r.isLive('a'), false, 'expired');
  r.revoke('b');
  assert.equal(r.isLive('b'), false, 'revoked');
  r.add('d', { sub: 'alice', expiresAt: 9_000, credential: 't' });
  r.revokeSubject('alice', 'd');
  assert.equal(r.isLive('c'), false);
  assert.equal(r.isLive('d'), true, 'the one kept');
  for (const id of ['e', 'f', 'g', 'h']) r.add(id, { sub: 'x', expiresAt: 9_000, credential: 't' });
  assert.equal(r.size, 3, 'bounded');
  assert.equal(r.isLive('d'), false, 'the oldest went first');
  assert.equal(r.isLive('h'), true);
  assert.equal(r.isLive('unknown'), false);
});
