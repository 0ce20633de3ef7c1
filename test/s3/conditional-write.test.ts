import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { startServer, type RunningServer } from '../helpers/server.js';
import { signedFetch, type Account } from '../helpers/signed-fetch.js';

let server: RunningServer;
let root: Account;

before(async () => {
  server = await startServer();
  root = { endpoint: server.endpoint, accessKey: server.accessKey, secretKey: server.secretKey };
  assert.equal((await signedFetch(root, 'PUT', '/locks')).status, 200);
});

after(async () => {
  await server?.stop();
});

test('racing If-None-Match: * creates: exactly one wins, the others get 412, and the winner is what is stored', async () => {
  for (let round = 0; round < 3; round++) {
    const key = `/locks/lease-${round}`;
    const bodies = Array.from({ length: 8 }, (_, i) => Buffer.alloc(300_000 + i, 97 + i));
    const answers = await Promise.all(bodies.map((b) => signedFetch(root, 'PUT', key, b, { headers: { 'if-none-match': '*' } })));
    const statuses = answers.map((r) => r.status);
    assert.equal(statuses.filter((s) => s === 200).length, 1, `round ${round}: ${statuses.join(',')}`);
    assert.equal(statuses.filter((s) => s === 412).length, 7, `round ${round}: ${statuses.join(',')}`);
    const winner = statuses.indexOf(200);
    const stored = Buffer.from(await (await signedFetch(root, 'GET', key)).arrayBuffer());
    assert.ok(stored.equals(bodies[winner]), 'the stored object is the winner\'s');
  }
});

test('If-Match overwrites only the version it names, also when two writers race', async () => {
  const first = await signedFetch(root, 'PUT', '/locks/doc', 'v1');
  const etag = first.headers.get('etag')!;
  const answers = await Promise.all([0, 1, 2, 3].map((i) => signedFetch(root, 'PUT', '/locks/doc', Buffer.alloc(200_000, 48 + i), { headers: { 'if-match': etag } })));
  assert.equal(answers.filter((r) => r.status === 200).length, 1, answers.map((r) => r.status).join(','));
  assert.equal(answers.filter((r) => r.status === 412).length, 3);
});
