import assert from 'node:assert/strict';
import { test } from 'node:test';
import { startServer } from '../helpers/server.js';

test('a console reachable from the network warns that it is not TLS, and still answers', async () => {
  const s = await startServer({ args: ['--console-address', '0.0.0.0:0'] });
  try {
    const deadline = Date.now() + 15_000;
    let m: RegExpExecArray | null = null;
    while (!(m = /Console: (http:\/\/\S+)/.exec(s.output())) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    assert.ok(m, s.output());
    assert.match(s.output(), /Console: WARNING: listening on 0\.0\.0\.0:\d+, beyond this machine, without TLS/);
    const res = await fetch(`${m[1]}/api/v1/session`);
    assert.equal(res.status, 401);
    assert.equal(((await res.json()) as { code: string }).code, 'SessionExpired');
  } finally {
    await s.stop();
  }
});
