import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startServer, type RunningServer } from '../helpers/server.js';
import { signedFetch, type Account } from '../helpers/signed-fetch.js';
import { startIssuer, type TestIssuer } from '../sts/oidc-issuer.js';
import { api, consoleUrlOf, expectError } from './console-client.js';

/**
 * "Log in with <provider>" against a real OpenID issuer (test/sts/oidc-issuer.ts,
 * auto-consent): the redirects followed by hand, the code exchanged with PKCE,
 * and the session acting as the web-identity STS session of the subject.
 */
let issuer: TestIssuer;
let server: RunningServer;
let root: Account;
let base: string;

const cookieOf = (res: Response, name: string) => res.headers.getSetCookie().find((c) => c.startsWith(`${name}=`))?.split(';')[0];

/** Starts a login: the console's redirect to the provider, then the provider's redirect back (not yet followed). */
async function begin(): Promise<{ pending: string; callback: URL }> {
  const start = await fetch(`${base}/api/v1/login/oidc/corp`, { redirect: 'manual' });
  assert.equal(start.status, 302, await start.text());
  const pending = cookieOf(start, 'granary-oidc');
  assert.ok(pending, 'no pending-login cookie');
  assert.match(start.headers.getSetCookie().join('\n'), /granary-oidc=[^;]+; Path=\/api\/v1\/login\/oidc; HttpOnly; SameSite=Lax/);
  const authorize = new URL(start.headers.get('location')!);
  assert.equal(authorize.origin + authorize.pathname, `${issuer.url}/authorize`);
  assert.equal(authorize.searchParams.get('code_challenge_method'), 'S256');
  assert.ok(authorize.searchParams.get('nonce') && authorize.searchParams.get('state'));
  const back = await fetch(authorize, { redirect: 'manual' });
  assert.equal(back.status, 302);
  return { pending, callback: new URL(back.headers.get('location')!) };
}

before(async () => {
  issuer = await startIssuer();
  server = await startServer();
  base = await consoleUrlOf(server);
  root = { endpoint: server.endpoint, accessKey: server.accessKey, secretKey: server.secretKey };
  const res = await signedFetch(root, 'PUT', '/granary/admin/v1/idp/oidc/corp', JSON.stringify({ configUrl: issuer.configUrl, clientId: 'granary-app', label: 'Corp SSO', clientSecret: 'corp-client-secret' }));
  assert.ok(res.ok, await res.text());
  // The client secret is write-only.
  const shown = await (await signedFetch(root, 'GET', '/granary/admin/v1/idp/oidc/corp')).text();
  assert.ok(!shown.includes('corp-client-secret') && JSON.parse(shown).clientSecretSet === true, shown);
  assert.equal((await signedFetch(root, 'PUT', '/team')).status, 200);
});

after(async () => {
  await server?.stop();
  await issuer?.close();
});

describe('console OpenID login', () => {
  test('the login methods list the provider by its label', async () => {
    assert.deepEqual((await api(base, 'GET', '/login/methods')).body, { ldap: false, oidc: [{ name: 'corp', label: 'Corp SSO' }] });
  });

  test('the full redirect flow logs the subject in, acting with the policy its token names', async () => {
    issuer.loginAs({ sub: 'erin@corp', policy: 'readwrite' });
    const { pending, callback } = await begin();
    assert.equal(callback.origin, new URL(base).origin);
    const done = await fetch(callback, { redirect: 'manual', headers: { cookie: pending } });
    assert.equal(done.status, 302, await done.text());
    assert.equal(done.headers.get('location'), '/#/');
    const session = cookieOf(done, 'granary-session');
    assert.ok(session, 'no session cookie');
    const me = await api(base, 'GET', '/session', { session: { cookie: session, csrf: '' } });
    assert.equal(me.status, 200, me.text);
    assert.equal(me.body.identity.type, 'session');
    assert.equal(me.body.identity.name, 'erin@corp');
    const put = await fetch(`${base}/api/v1/buckets/team/object?key=erin.txt`, { method: 'PUT', headers: { cookie: session, 'x-csrf-token': me.body.csrfToken, 'content-type': 'text/plain' }, body: 'from erin' });
    assert.equal(put.status, 200, await put.text());
    // The pending login is spent: the same callback again is refused.
    expectFailure(await fetch(callback, { redirect: 'manual', headers: { cookie: pending } }), 'expired');
  });

  test('a wrong state is refused and starts no session', async () => {
    issuer.loginAs({ sub: 'mallory', policy: 'readwrite' });
    const { pending, callback } = await begin();
    callback.searchParams.set('state', 'forged-state');
    const res = await fetch(callback, { redirect: 'manual', headers: { cookie: pending } });
    expectFailure(res, 'state');
  });

  test('no pending-login cookie: refused', async () => {
    const { callback } = await begin();
    expectFailure(await fetch(callback, { redirect: 'manual' }), 'expired');
  });

  test('a code exchanged with another login\'s PKCE verifier is refused by the issuer, and so by the console', async () => {
    issuer.loginAs({ sub: 'erin@corp', policy: 'readwrite' });
    const a = await begin();
    const b = await begin();
    // b's cookie and state, a's code: the console sends b's verifier for a code bound to a's challenge.
    const crossed = new URL(b.callback);
    crossed.searchParams.set('code', a.callback.searchParams.get('code')!);
    const res = await fetch(crossed, { redirect: 'manual', headers: { cookie: b.pending } });
    expectFailure(res, 'failed');
    assert.ok(issuer.tokenRefusals().includes('pkce'), issuer.tokenRefusals().join(','));
  });

  test('an unknown provider is a clear 404', async () => {
    expectError(await asResult(await fetch(`${base}/api/v1/login/oidc/nobody`, { redirect: 'manual' })), 404, 'LoginMethodNotConfigured');
  });
});

/** A refused callback: back to the login page with the reason's code, the pending login cleared, no session. */
function expectFailure(res: Response, code: string): void {
  assert.equal(res.status, 302);
  assert.equal(res.headers.get('location'), `/?login_error=${code}#/`);
  assert.equal(cookieOf(res, 'granary-session'), undefined);
  assert.match(res.headers.getSetCookie().join('\n'), /granary-oidc=; [^\n]*Max-Age=0/);
}

async function asResult(res: Response): Promise<{ status: number; headers: Headers; body: { code?: string }; text: string }> {
  const text = await res.text();
  let body = {};
  try {
    body = JSON.parse(text) as object;
  } catch {
    body = {};
  }
  return { status: res.status, headers: res.headers, body, text };
}
