import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { IdentityPlugin, IdentityPluginError } from '../../../engine/iam/plugins/identity-plugin.js';
import { startPluginServer, type PluginServer } from '../../helpers/plugin-server.js';

/** The identity plugin client against a real HTTP webhook: MinIO's contract, allow, deny, timeout. */
let hook: PluginServer;
let plugin: IdentityPlugin;

before(async () => {
  hook = await startPluginServer('/identity');
  plugin = new IdentityPlugin({ url: new URL(hook.url), timeoutMs: 700, token: 'hook-secret-3' });
});

after(async () => {
  plugin?.close();
  await hook?.close();
});

async function refused(token: string, kind: IdentityPluginError['kind']): Promise<IdentityPluginError> {
  let caught: unknown;
  await plugin.verify(token).catch((e: unknown) => { caught = e; });
  assert.ok(caught instanceof IdentityPluginError, `expected an IdentityPluginError, got ${String(caught)}`);
  assert.equal(caught.kind, kind, caught.message);
  return caught;
}

describe('identity plugin (real webhook)', () => {
  test('a good token: user, claims and validity come back; the token and the secret were sent', async () => {
    hook.answer((c) => {
      const token = new URL(c.url, 'http://x').searchParams.get('token');
      return token === 'good-token-1' ? { json: { user: 'plugin-user', maxValiditySeconds: 3600, claims: { policy: 'readonly', team: 'a' } } } : { status: 403, json: { reason: 'unknown token' } };
    });
    const id = await plugin.verify('good-token-1');
    assert.deepEqual(id, { user: 'plugin-user', maxValiditySeconds: 3600, claims: { policy: 'readonly', team: 'a' } });
    const call = hook.calls.at(-1)!;
    assert.equal(call.headers.authorization, 'Bearer hook-secret-3');
    assert.deepEqual(call.body, { token: 'good-token-1' });
  });

  test('a 403 refuses the token with the plugin\'s reason', async () => {
    const e = await refused('bad-token', 'denied');
    assert.match(e.message, /unknown token/);
    assert.equal(plugin.stats().denied, 1);
  });

  test('no answer in time, another status or a malformed answer refuse the login (fail closed)', async () => {
    hook.answer(() => ({ hang: true }));
    assert.equal((await refused('good-token-1', 'unavailable')).failure, 'timeout');
    hook.answer(() => ({ status: 500, json: {} }));
    assert.equal((await refused('good-token-1', 'unavailable')).failure, 'status');
    for (const json of [{ user: '', maxValiditySeconds: 3600 }, { user: 'u' }, { user: 'u', maxValiditySeconds: 10 }, { user: 'u', maxValiditySeconds: 3600, claims: [1] }, ['u']]) {
      hook.answer(() => ({ json }));
      assert.equal((await refused('good-token-1', 'unavailable')).failure, 'malformed', JSON.stringify(json));
    }
    hook.answer(() => ({ text: '<html>' }));
    assert.equal((await refused('good-token-1', 'unavailable')).failure, 'malformed');
    const s = plugin.stats();
    assert.equal(s.failures.timeout, 1);
    assert.equal(s.failures.malformed, 6);
  });

  test('an empty or huge token is refused without asking', async () => {
    const before = hook.calls.length;
    await refused('', 'denied');
    await refused('x'.repeat(20_000), 'denied');
    assert.equal(hook.calls.length, before);
  });
});
