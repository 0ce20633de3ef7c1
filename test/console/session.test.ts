import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { after, before, describe, test } from 'node:test';
import { SignJWT } from 'jose';
import { TOTP, URI } from 'otpauth';
import { startServer, type RunningServer } from '../helpers/server.js';
import { signedFetch, type Account } from '../helpers/signed-fetch.js';

/**
 * The console session API against a real engine process: logins, cookies,
 * CSRF, revocation, throttling and MFA, through plain HTTP as a browser
 * would send it. Each part logs in from its own loopback address
 * (127.0.0.x), so failures one part provokes on purpose do not throttle
 * the address of another.
 */
let server: RunningServer & { kill: () => Promise<void> };
let consoleUrl: URL;
let root: Account;

interface Res {
  status: number;
  headers: IncomingHttpHeaders;
  text: string;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  body: any;
}

interface CallOptions {
  body?: unknown;
  rawBody?: string;
  contentType?: string;
  cookie?: string;
  csrf?: string;
  origin?: string;
  host?: string;
  /** The local address to send from (any of 127.0.0.0/8 reaches the console on Linux). */
  from?: string;
}

/** One request with node:http (fetch cannot choose its source address or send a path unnormalised). */
function call(method: string, path: string, opts: CallOptions = {}): Promise<Res> {
  const payload = opts.rawBody ?? (opts.body === undefined ? undefined : JSON.stringify(opts.body));
  const headers: Record<string, string> = {};
  if (payload !== undefined) {
    headers['content-type'] = opts.contentType ?? 'application/json';
    headers['content-length'] = String(Buffer.byteLength(payload));
  }
  if (opts.cookie) headers.cookie = opts.cookie;
  if (opts.csrf) headers['x-csrf-token'] = opts.csrf;
  if (opts.origin) headers.origin = opts.origin;
  if (opts.host) headers.host = opts.host;
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: consoleUrl.hostname, port: consoleUrl.port, method, path, headers, localAddress: opts.from ?? '127.0.0.1' }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let body: unknown;
        try {
          body = text ? JSON.parse(text) : undefined;
        } catch {
          body = undefined;
        }
        resolve({ status: res.statusCode ?? 0, headers: res.headers, text, body });
      });
    });
    req.on('error', reject);
    req.end(payload);
  });
}

interface Session {
  cookie: string;
  csrf: string;
  res: Res;
}

/** The `name=value` of the session cookie a response sets, and its full Set-Cookie line. */
function sessionCookie(res: Res): { pair: string; line: string } {
  const line = (res.headers['set-cookie'] ?? []).find((c) => c.startsWith('granary-session='));
  assert.ok(line, `no session cookie in ${JSON.stringify(res.headers['set-cookie'])}`);
  return { pair: line.split(';')[0], line };
}

async function login(accessKey: string, secretKey: string, extra: { totp?: string; recoveryCode?: string; from?: string } = {}): Promise<Res> {
  const { from, ...codes } = extra;
  return call('POST', '/api/v1/login', { body: { accessKey, secretKey, ...codes }, ...(from ? { from } : {}) });
}

async function loginOk(accessKey: string, secretKey: string, extra: { totp?: string; recoveryCode?: string; from?: string } = {}): Promise<Session> {
  const res = await login(accessKey, secretKey, extra);
  assert.equal(res.status, 200, res.text);
  return { cookie: sessionCookie(res).pair, csrf: res.body.csrfToken, res };
}

function assertError(res: Res, status: number, code: string): void {
  assert.equal(res.status, status, res.text);
  assert.equal(res.body?.code, code, res.text);
}

async function createUser(name: string, secretKey: string): Promise<void> {
  const res = await signedFetch(root, 'PUT', `/granary/admin/v1/users/${name}`, JSON.stringify({ secretKey }));
  assert.ok(res.ok, `create ${name}: ${res.status} ${await res.text()}`);
}

/** The code an authenticator app shows for the enrolment URI at `ms`. */
function codeAt(uri: string, ms: number): string {
  const otp = URI.parse(uri);
  assert.ok(otp instanceof TOTP);
  return otp.generate({ timestamp: ms });
}

/** Six digits that are none of the codes valid around now. */
function wrongCode(uri: string): string {
  const now = Date.now();
  const valid = new Set([-60_000, -30_000, 0, 30_000, 60_000].map((d) => codeAt(uri, now + d)));
  for (let n = 123456; ; n++) if (!valid.has(String(n))) return String(n);
}

const PASSWORDS: Record<string, string> = {
  alice: 'Wq4!zTm8#pLx2Rv',
  bob: 'Hn7$kPw3@sZq9Ld',
  carol: 'Yt5%vBn1&cXm6Jq',
  dave: 'Gr2^fKs8*dWp4Nz',
  erin: 'Mx9(hQj3)eVt7Lb',
};

before(async () => {
  server = await startServer();
  root = { endpoint: server.endpoint, accessKey: server.accessKey, secretKey: server.secretKey };
  const deadline = Date.now() + 15_000;
  let m: RegExpExecArray | null = null;
  while (!(m = /Console: (http:\/\/\S+)/.exec(server.output())) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  assert.ok(m, `no console URL in the server's output:\n${server.output()}`);
  consoleUrl = new URL(m[1]);
  for (const [name, secret] of Object.entries(PASSWORDS)) await createUser(name, secret);
});

after(async () => {
  await server?.stop();
});

describe('console sessions', () => {
  test('root logs in: an HttpOnly, SameSite=Strict cookie, and /session says who it is', async () => {
    const res = await login(root.accessKey, root.secretKey);
    assert.equal(res.status, 200, res.text);
    const { pair, line } = sessionCookie(res);
    const attrs = line.split(';').map((a) => a.trim().toLowerCase());
    assert.ok(attrs.includes('httponly'), line);
    assert.ok(attrs.includes('samesite=strict'), line);
    assert.ok(attrs.includes('path=/'), line);
    assert.ok(!attrs.includes('secure'), 'no Secure flag over plain HTTP (the browser would drop the cookie)');
    // The token is a three-part JWT signed with EdDSA.
    const token = pair.slice('granary-session='.length);
    const header = JSON.parse(Buffer.from(token.split('.')[0], 'base64url').toString());
    assert.equal(header.alg, 'EdDSA');
    const claims = JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString());
    assert.equal(claims.sub, root.accessKey);
    assert.ok(typeof claims.jti === 'string' && claims.jti.length >= 16);
    assert.ok(Math.abs(claims.exp - claims.iat - 3600) <= 1, 'sessions last an hour');
    assert.deepEqual(res.body.identity, { type: 'root', accessKey: root.accessKey, name: root.accessKey });
    assert.equal(res.body.mfaEnrolmentRequired, false);
    assert.match(res.body.csrfToken, /^[A-Za-z0-9_-]{20,}$/);
    assert.equal(res.headers['cache-control'], 'no-store');

    const who = await call('GET', '/api/v1/session', { cookie: pair });
    assert.equal(who.status, 200, who.text);
    assert.equal(who.body.identity.type, 'root');
    assert.equal(who.body.identity.name, root.accessKey);
    assert.deepEqual(who.body.mfa, { enrolled: false, required: false });
    assert.equal(who.body.csrfToken, res.body.csrfToken, 'a reloaded page gets its CSRF token back');
    assert.ok(Math.abs(Date.parse(who.body.expiresAt) - (Date.now() + 3_600_000)) < 60_000);
  });

  test('without a session: 401 SessionExpired', async () => {
    assertError(await call('GET', '/api/v1/session'), 401, 'SessionExpired');
    assertError(await call('GET', '/api/v1/session', { cookie: 'granary-session=not-a-token' }), 401, 'SessionExpired');
    assertError(await call('GET', '/api/v1/no-such-call'), 404, 'NoSuchRoute');
    assertError(await call('POST', '/api/v1/no-such-call', { body: {} }), 404, 'NoSuchRoute');
    assertError(await call('POST', '/api/v1/login', { body: { accessKey: 'x'.repeat(20_000), secretKey: 'y' } }), 413, 'InvalidRequest');
    assertError(await call('POST', '/api/v1/login', { body: { accessKey: 42, secretKey: 'y' } }), 400, 'InvalidRequest');
    assertError(await call('POST', '/api/v1/login', { rawBody: '{"accessKey":', contentType: 'application/json' }), 400, 'InvalidRequest');
  });

  test('state-changing calls need the CSRF token of their own session, and same-origin requests', async () => {
    const s = await loginOk(root.accessKey, root.secretKey);
    const other = await loginOk(root.accessKey, root.secretKey);
    const put = (o: CallOptions) => call('PUT', '/api/v1/settings/require-mfa', { body: { required: false }, cookie: s.cookie, ...o });
    assertError(await put({}), 403, 'InvalidCsrfToken');
    assertError(await put({ csrf: other.csrf }), 403, 'InvalidCsrfToken');
    assertError(await put({ csrf: `${s.csrf}x` }), 403, 'InvalidCsrfToken');
    assertError(await put({ csrf: s.csrf, origin: 'http://evil.example' }), 403, 'CrossOriginRequest');
    // SameSite ignores ports: a page from the S3 port of the same host is refused by its Origin.
    assertError(await put({ csrf: s.csrf, origin: `http://${consoleUrl.hostname}:1` }), 403, 'CrossOriginRequest');
    assertError(await put({ csrf: s.csrf, origin: 'null' }), 403, 'CrossOriginRequest');
    const ok = await put({ csrf: s.csrf });
    assert.equal(ok.status, 200, ok.text);
    assert.deepEqual(ok.body, { required: false });
    const sameOrigin = await put({ csrf: s.csrf, origin: consoleUrl.origin });
    assert.equal(sameOrigin.status, 200, sameOrigin.text);
    // Bodies another site's form could send without a preflight are not even parsed.
    const form = await call('POST', '/api/v1/login', { rawBody: `{"accessKey":"${root.accessKey}","secretKey":"${root.secretKey}"}`, contentType: 'text/plain' });
    assert.equal(form.status, 415, form.text);
    // A login from another origin is refused too (login CSRF).
    assertError(await call('POST', '/api/v1/login', { body: { accessKey: root.accessKey, secretKey: root.secretKey }, origin: 'http://evil.example' }), 403, 'CrossOriginRequest');
    // DNS rebinding: a loopback console answers only to loopback names.
    assertError(await call('GET', '/api/v1/session', { cookie: s.cookie, host: `evil.example:${consoleUrl.port}` }), 403, 'CrossOriginRequest');
    assert.equal((await call('GET', '/api/v1/session', { cookie: s.cookie, host: `localhost:${consoleUrl.port}` })).status, 200);
    // Only root may change the setting.
    const alice = await loginOk('alice', PASSWORDS.alice);
    assertError(await call('PUT', '/api/v1/settings/require-mfa', { body: { required: false }, cookie: alice.cookie, csrf: alice.csrf }), 403, 'AccessDenied');
  });

  test('logout revokes the session at once', async () => {
    const s = await loginOk(root.accessKey, root.secretKey);
    const keep = await loginOk(root.accessKey, root.secretKey);
    const noToken = await call('POST', '/api/v1/logout', { cookie: s.cookie });
    assertError(noToken, 403, 'InvalidCsrfToken');
    assert.equal(noToken.headers['set-cookie'], undefined, 'a refused logout leaves the cookie alone');
    const out = await call('POST', '/api/v1/logout', { cookie: s.cookie, csrf: s.csrf });
    assert.equal(out.status, 204, out.text);
    const cleared = sessionCookie(out).line;
    assert.match(cleared, /^granary-session=;/);
    assert.match(cleared, /Max-Age=0/);
    assertError(await call('GET', '/api/v1/session', { cookie: s.cookie }), 401, 'SessionExpired');
    assertError(await call('POST', '/api/v1/logout', { cookie: s.cookie, csrf: s.csrf }), 401, 'SessionExpired');
    assert.equal((await call('GET', '/api/v1/session', { cookie: keep.cookie })).status, 200, 'other sessions go on');
  });

  test('a tampered, forged or unsigned token is refused', async () => {
    const s = await loginOk(root.accessKey, root.secretKey);
    const token = s.cookie.slice('granary-session='.length);
    const [h, p, sig] = token.split('.');
    const mid = Math.floor(sig.length / 2);
    const flipped = `${sig.slice(0, mid)}${sig[mid] === 'A' ? 'B' : 'A'}${sig.slice(mid + 1)}`;
    const claims = JSON.parse(Buffer.from(p, 'base64url').toString());
    const otherSub = Buffer.from(JSON.stringify({ ...claims, sub: 'alice' })).toString('base64url');
    const later = Buffer.from(JSON.stringify({ ...claims, exp: claims.exp + 86_400 })).toString('base64url');
    const none = Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url');
    const foreignKey = generateKeyPairSync('ed25519').privateKey;
    const forged = await new SignJWT({ ...claims }).setProtectedHeader({ alg: 'EdDSA', typ: 'JWT' }).sign(foreignKey);
    const bad = {
      'signature changed': `${h}.${p}.${flipped}`,
      'subject changed': `${h}.${otherSub}.${sig}`,
      'expiry extended': `${h}.${later}.${sig}`,
      'alg none': `${none}.${p}.`,
      'signed with another key': forged,
      truncated: `${h}.${p}`,
    };
    for (const [what, t] of Object.entries(bad)) {
      const res = await call('GET', '/api/v1/session', { cookie: `granary-session=${t}` });
      assert.equal(res.status, 401, `${what}: ${res.text}`);
      assert.equal(res.body.code, 'SessionExpired', what);
    }
    assert.equal((await call('GET', '/api/v1/session', { cookie: s.cookie })).status, 200, 'the genuine token still works');
  });

  test('a wrong secret is refused; repeated failures throttle the key everywhere and the address for every key', async () => {
    const A = '127.0.0.6';
    assertError(await login('bob', 'not-bobs-password', { from: A }), 401, 'InvalidLogin');
    assertError(await login('nobody-at-all', 'whatever-secret', { from: A }), 401, 'InvalidLogin');
    // bob's key: five failures from A in all (the unknown key above counted for A only).
    for (let i = 0; i < 3; i++) assertError(await login('bob', `wrong-${i}-password`, { from: A }), 401, 'InvalidLogin');
    // Four failures for bob, five for A: A is held back, for every key.
    const byAddress = await login('erin', PASSWORDS.erin, { from: A });
    assertError(byAddress, 429, 'SlowDown');
    assert.ok(Number(byAddress.headers['retry-after']) >= 1, `Retry-After: ${byAddress.headers['retry-after']}`);
    assert.match(byAddress.body.message, /address/);
    // From elsewhere bob still gets in: four is under the key's threshold …
    const B = '127.0.0.7';
    const bobIn = await login('bob', PASSWORDS.bob, { from: B });
    assert.equal(bobIn.status, 200, bobIn.text);
    // … and his success cleared the key's count; five more failures (from a fresh address) hold the key back.
    const C = '127.0.0.8';
    for (let i = 0; i < 5; i++) assertError(await login('bob', `again-${i}-wrong`, { from: C }), 401, 'InvalidLogin');
    const D = '127.0.0.9';
    const held = await login('bob', PASSWORDS.bob, { from: D });
    assertError(held, 429, 'SlowDown');
    assert.match(held.body.message, /access key/);
    assert.ok(Number(held.headers['retry-after']) >= 1);
    // Another key from an address still under its threshold works while bob is held back.
    assert.equal((await login('erin', PASSWORDS.erin, { from: D })).status, 200);
  });

  test('failed logins and throttling are listed for admins only', async () => {
    const s = await loginOk(root.accessKey, root.secretKey);
    const res = await call('GET', '/api/v1/security/events?limit=50', { cookie: s.cookie });
    assert.equal(res.status, 200, res.text);
    const events = res.body.events as { accessKey?: string; address: string; throttled?: string; time: string }[];
    assert.ok(events.some((e) => e.accessKey === 'bob' && e.address === '127.0.0.6'), JSON.stringify(events));
    assert.ok(events.some((e) => e.accessKey === 'bob' && e.throttled === 'accessKey'), 'the hold-back of bob is listed');
    assert.ok(events.some((e) => e.throttled === 'address' && e.address === '127.0.0.6'));
    assert.ok(!Number.isNaN(Date.parse(events[0].time)));
    assertError(await call('GET', '/api/v1/security/events?limit=0', { cookie: s.cookie }), 400, 'InvalidRequest');
    const alice = await loginOk('alice', PASSWORDS.alice, { from: '127.0.0.3' });
    assertError(await call('GET', '/api/v1/security/events', { cookie: alice.cookie, from: '127.0.0.3' }), 403, 'AccessDenied');
  });

  test('a disabled user, or one whose secret changed, loses the console at once', async () => {
    const alice = await loginOk('alice', PASSWORDS.alice, { from: '127.0.0.3' });
    assert.equal((await call('GET', '/api/v1/session', { cookie: alice.cookie })).status, 200);
    assert.equal((await signedFetch(root, 'POST', '/granary/admin/v1/users/alice/disable', '')).status, 204);
    assertError(await call('GET', '/api/v1/session', { cookie: alice.cookie }), 401, 'SessionExpired');
    assertError(await login('alice', PASSWORDS.alice, { from: '127.0.0.3' }), 401, 'InvalidLogin');
    assert.equal((await signedFetch(root, 'POST', '/granary/admin/v1/users/alice/enable', '')).status, 204);
    // The old session stays dead: it was revoked, not suspended.
    assertError(await call('GET', '/api/v1/session', { cookie: alice.cookie }), 401, 'SessionExpired');

    // A changed secret ends the sessions made with the old one.
    const again = await loginOk('alice', PASSWORDS.alice, { from: '127.0.0.3' });
    const changed = await signedFetch(root, 'PUT', '/granary/admin/v1/users/alice/secret', JSON.stringify({ secretKey: 'Pv6&nRz2!kLw9Qs' }));
    assert.equal(changed.status, 204, await changed.text());
    assertError(await call('GET', '/api/v1/session', { cookie: again.cookie }), 401, 'SessionExpired');
    assert.equal((await login('alice', 'Pv6&nRz2!kLw9Qs', { from: '127.0.0.3' })).status, 200);
  });

  test('MFA: enrol, verify, then logins need a fresh code; codes and recovery codes work once', async () => {
    const from = '127.0.0.4';
    const s = await loginOk('carol', PASSWORDS.carol, { from });
    const post = (path: string, body: unknown) => call('POST', path, { body, cookie: s.cookie, csrf: s.csrf, from });
    const enrol = await post('/api/v1/mfa/enrol', {});
    assert.equal(enrol.status, 200, enrol.text);
    const { secret, uri } = enrol.body as { secret: string; uri: string };
    assert.match(secret, /^[A-Z2-7]{32}$/);
    assert.equal(new URL(uri).searchParams.get('secret'), secret);
    assert.match(decodeURIComponent(uri), /carol/);
    // Not in force before it is verified.
    assert.equal((await login('carol', PASSWORDS.carol, { from })).status, 200);

    assertError(await post('/api/v1/mfa/verify', { code: wrongCode(uri) }), 401, 'InvalidMfaCode');
    const now = Date.now();
    const verify = await post('/api/v1/mfa/verify', { code: codeAt(uri, now) });
    assert.equal(verify.status, 200, verify.text);
    const recovery = verify.body.recoveryCodes as string[];
    assert.equal(recovery.length, 10);
    assert.equal(new Set(recovery).size, 10);
    assert.equal(verify.body.session, undefined, 'a full session stays as it is');
    assert.equal((await call('GET', '/api/v1/session', { cookie: s.cookie })).body.mfa.enrolled, true);
    assertError(await post('/api/v1/mfa/enrol', {}), 409, 'MfaAlreadyEnrolled');

    assertError(await login('carol', PASSWORDS.carol, { from }), 401, 'MfaRequired');
    assertError(await login('carol', PASSWORDS.carol, { from, totp: wrongCode(uri) }), 401, 'InvalidMfaCode');
    // The code verify spent is spent; the next step's (one step of drift is allowed) is fresh.
    assertError(await login('carol', PASSWORDS.carol, { from, totp: codeAt(uri, now) }), 401, 'InvalidMfaCode');
    const next = codeAt(uri, now + 30_000);
    const withCode = await login('carol', PASSWORDS.carol, { from, totp: next });
    assert.equal(withCode.status, 200, withCode.text);
    assert.equal(withCode.body.mfa.enrolled, true);
    assertError(await login('carol', PASSWORDS.carol, { from, totp: next }), 401, 'InvalidMfaCode');

    const byRecovery = await login('carol', PASSWORDS.carol, { from, recoveryCode: recovery[0].toUpperCase() });
    assert.equal(byRecovery.status, 200, byRecovery.text);
    assertError(await login('carol', PASSWORDS.carol, { from, recoveryCode: recovery[0] }), 401, 'InvalidMfaCode');

    // Disabling needs a code too (here a recovery code: the phone is lost). From another
    // address: this one has four failures behind it, one short of being held back.
    const from2 = '127.0.0.11';
    const s2 = { cookie: sessionCookie(byRecovery).pair, csrf: byRecovery.body.csrfToken };
    const disable = (code: string) => call('POST', '/api/v1/mfa/disable', { body: { code }, cookie: s2.cookie, csrf: s2.csrf, from: from2 });
    assertError(await disable(recovery[0]), 401, 'InvalidMfaCode');
    const off = await disable(recovery[1]);
    assert.equal(off.status, 200, off.text);
    assert.deepEqual(off.body, { enrolled: false });
    assert.equal((await login('carol', PASSWORDS.carol, { from: from2 })).status, 200);
  });

  test('MFA required: root must enrol first; an unenrolled user gets a session that may only enrol', async () => {
    const from = '127.0.0.5';
    const r = await loginOk(root.accessKey, root.secretKey, { from });
    const put = (required: boolean) => call('PUT', '/api/v1/settings/require-mfa', { body: { required }, cookie: r.cookie, csrf: r.csrf, from });
    assertError(await put(true), 409, 'MfaNotEnrolled');
    const enrol = await call('POST', '/api/v1/mfa/enrol', { body: {}, cookie: r.cookie, csrf: r.csrf, from });
    assert.equal(enrol.status, 200, enrol.text);
    assert.equal((await call('POST', '/api/v1/mfa/verify', { body: { code: codeAt(enrol.body.uri, Date.now()) }, cookie: r.cookie, csrf: r.csrf, from })).status, 200);
    const erin = await loginOk('erin', PASSWORDS.erin, { from: '127.0.0.10' });
    const on = await put(true);
    assert.equal(on.status, 200, on.text);
    // A session from before the setting, of an account without MFA, is cut down to "enrol only" at once.
    assert.equal((await call('GET', '/api/v1/session', { cookie: erin.cookie })).body.mfaEnrolmentRequired, true);
    assertError(await call('GET', '/api/v1/security/events', { cookie: erin.cookie }), 403, 'MfaEnrolmentRequired');

    const d = await login('dave', PASSWORDS.dave, { from });
    assert.equal(d.status, 200, d.text);
    assert.equal(d.body.mfaEnrolmentRequired, true);
    assert.deepEqual(d.body.mfa, { enrolled: false, required: true });
    const restricted = { cookie: sessionCookie(d).pair, csrf: d.body.csrfToken };
    const claims = JSON.parse(Buffer.from(restricted.cookie.split('.')[1], 'base64url').toString());
    assert.ok(claims.exp - claims.iat <= 15 * 60, 'a restricted session is short');
    assert.equal((await call('GET', '/api/v1/session', { cookie: restricted.cookie, from })).body.mfaEnrolmentRequired, true);
    assertError(await call('GET', '/api/v1/security/events', { cookie: restricted.cookie, from }), 403, 'MfaEnrolmentRequired');
    assertError(await call('PUT', '/api/v1/settings/require-mfa', { body: { required: false }, cookie: restricted.cookie, csrf: restricted.csrf, from }), 403, 'MfaEnrolmentRequired');

    const de = await call('POST', '/api/v1/mfa/enrol', { body: {}, cookie: restricted.cookie, csrf: restricted.csrf, from });
    assert.equal(de.status, 200, de.text);
    const dv = await call('POST', '/api/v1/mfa/verify', { body: { code: codeAt(de.body.uri, Date.now()) }, cookie: restricted.cookie, csrf: restricted.csrf, from });
    assert.equal(dv.status, 200, dv.text);
    assert.equal(dv.body.recoveryCodes.length, 10);
    assert.equal(dv.body.session.mfaEnrolmentRequired, false, 'verifying upgrades the session');
    const full = sessionCookie(dv).pair;
    assert.notEqual(full, restricted.cookie);
    const who = await call('GET', '/api/v1/session', { cookie: full, from });
    assert.equal(who.status, 200, who.text);
    assert.equal(who.body.mfaEnrolmentRequired, false);
    assert.equal(who.body.csrfToken, dv.body.session.csrfToken);
    assertError(await call('GET', '/api/v1/session', { cookie: restricted.cookie, from }), 401, 'SessionExpired');

    assert.equal((await loginOk('erin', PASSWORDS.erin, { from: '127.0.0.10' })).res.body.mfaEnrolmentRequired, true);

    const off = await put(false);
    assert.equal(off.status, 200, off.text);
    assert.equal((await call('GET', '/api/v1/session', { cookie: erin.cookie })).body.mfaEnrolmentRequired, false, 'and restored when it is lifted');
    assert.equal((await loginOk('erin', PASSWORDS.erin, { from: '127.0.0.10' })).res.body.mfaEnrolmentRequired, false);
    assertError(await login(root.accessKey, root.secretKey, { from }), 401, 'MfaRequired');
  });

  test('the page: the built renderer (or a not-built page), never a file outside it', async () => {
    const page = await call('GET', '/');
    assert.equal(page.status, 200);
    assert.match(String(page.headers['content-type']), /^text\/html/);
    assert.match(String(page.headers['content-security-policy']), /frame-ancestors 'none'/);
    for (const path of ['/../package.json', '/%2e%2e/package.json', '/..%2fpackage.json', '/assets/..%2f..%2f..%2fpackage.json', '/%2e%2e%5cpackage.json', '/.env', '/assets/.hidden']) {
      const res = await call('GET', path);
      assert.ok(res.status === 404 || res.status === 400, `${path}: ${res.status}`);
      assert.doesNotMatch(res.text, /"devDependencies"/, path);
    }
    // The app's own routes get the page, to route them itself; API paths never do.
    const route = await call('GET', '/buckets/photos');
    assert.equal(route.status, 200);
    assert.equal(route.text, page.text);
    assertError(await call('GET', '/api/v1/nothing-here'), 404, 'NoSuchRoute');
  });
});
