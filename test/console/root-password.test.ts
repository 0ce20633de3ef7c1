import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { startServer, type RunningServer } from '../helpers/server.js';
import { signedFetch } from '../helpers/signed-fetch.js';
import { api, consoleUrlOf, expectError, generatedRoot, login, sessionFrom } from './console-client.js';

/** Root credentials generated on the first start live in a file: root may choose a new secret in the console. */
let server: RunningServer & { kill: () => Promise<void> };
let base: string;

before(async () => {
  server = await startServer({ env: { GRANARY_ROOT_USER: undefined, GRANARY_ROOT_PASSWORD: undefined } });
  base = await consoleUrlOf(server);
});

after(async () => {
  await server?.stop();
});

test('root changes its generated secret: the file, S3 signing and the console follow', async () => {
  const before = generatedRoot(server);
  const session = await login(base, before.accessKey, before.secretKey);
  expectError(await api(base, 'PUT', '/account/password', { session, body: { currentSecret: 'wrong-secret-here', newSecret: 'Mx9(hQj3)eVt7Lb' } }), 403, 'WrongSecret');
  expectError(await api(base, 'PUT', '/account/password', { session, body: { currentSecret: before.secretKey, newSecret: before.accessKey.toLowerCase() + '1!' } }), 400, 'PasswordPolicyViolation');
  assert.deepEqual(generatedRoot(server), before, 'a refused change leaves the file alone');

  const changed = await api(base, 'PUT', '/account/password', { session, body: { currentSecret: before.secretKey, newSecret: 'Mx9(hQj3)eVt7Lb' } });
  assert.equal(changed.status, 200, changed.text);
  assert.equal((await api(base, 'GET', '/session', { session: sessionFrom(changed) })).status, 200);
  assert.deepEqual(generatedRoot(server), { accessKey: before.accessKey, secretKey: 'Mx9(hQj3)eVt7Lb' });
  assert.equal((await signedFetch({ endpoint: server.endpoint, ...before }, 'GET', '/')).status, 403, 'the old secret no longer signs');
  assert.equal((await signedFetch({ endpoint: server.endpoint, accessKey: before.accessKey, secretKey: 'Mx9(hQj3)eVt7Lb' }, 'GET', '/')).status, 200);
  await login(base, before.accessKey, 'Mx9(hQj3)eVt7Lb');
});
