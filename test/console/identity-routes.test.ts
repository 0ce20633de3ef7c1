import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startServer, type RunningServer } from '../helpers/server.js';
import { signedFetch } from '../helpers/signed-fetch.js';
import { api, consoleUrlOf, expectError, login, sessionFrom, type ConsoleSessionHandle } from './console-client.js';

/**
 * The Identity screens' API against a real engine: users, groups, policies
 * and access keys through cookie sessions with CSRF, each change decided
 * with the admin action the admin API asks for it.
 */
let server: RunningServer & { kill: () => Promise<void> };
let base: string;
let root: ConsoleSessionHandle;

const ALICE = 'Wq4!zTm8#pLx2Rv';
const BOB = 'Hn7$kPw3@sZq9Ld';

before(async () => {
  // Some tests fail logins on purpose; throttling (tested in session.test.ts) must not hold the later ones back.
  server = await startServer({ args: ['--auth-throttle', '1000'] });
  base = await consoleUrlOf(server);
  root = await login(base, server.accessKey, server.secretKey);
});

after(async () => {
  await server?.stop();
});

const GOOD_POLICY = `{
  "Version": "2012-10-17",
  "Statement": [
    { "Effect": "Allow", "Action": ["s3:GetObject"], "Resource": "arn:aws:s3:::photos/*" }
  ]
}`;

describe('users', () => {
  test('root adds a user with a policy; the list shows it without its secret', async () => {
    const made = await api(base, 'POST', '/users', { session: root, body: { name: 'alice', secretKey: ALICE, policies: ['readonly'] } });
    assert.equal(made.status, 201, made.text);
    assert.deepEqual({ name: made.body.name, status: made.body.status, policies: made.body.policies, hasSecret: made.body.hasSecret }, { name: 'alice', status: 'enabled', policies: ['readonly'], hasSecret: true });
    const list = await api(base, 'GET', '/users', { session: root });
    assert.equal(list.status, 200);
    assert.deepEqual(list.body.users.map((u: { name: string }) => u.name), ['alice']);
    assert.ok(!list.text.includes(ALICE), 'the secret must never be listed');
    // The password works: alice logs in.
    await login(base, 'alice', ALICE);
  });

  test('a weak password, a taken name and hostile names are refused and change nothing', async () => {
    expectError(await api(base, 'POST', '/users', { session: root, body: { name: 'weakling', secretKey: 'password1234' } }), 400, 'PasswordPolicyViolation');
    expectError(await api(base, 'POST', '/users', { session: root, body: { name: 'shorty', secretKey: 'Ab1!' } }), 400, 'InvalidInput');
    expectError(await api(base, 'POST', '/users', { session: root, body: { name: 'alice', secretKey: BOB } }), 409, 'EntityAlreadyExists');
    expectError(await api(base, 'POST', '/users', { session: root, body: { name: server.accessKey, secretKey: BOB } }), 409, 'EntityAlreadyExists');
    for (const name of ['../../etc/passwd', '<script>x</script>', 'a b c', 'x\u0000y', 'é'.repeat(10)]) {
      expectError(await api(base, 'POST', '/users', { session: root, body: { name, secretKey: BOB } }), 400, 'InvalidInput');
    }
    expectError(await api(base, 'POST', '/users', { session: root, body: { name: 'bobby', secretKey: BOB, policies: ['no-such-policy'] } }), 404, 'NoSuchEntity');
    expectError(await api(base, 'POST', '/users', { session: root, body: { name: 'bobby', secretKey: BOB, groups: ['no-such-group'] } }), 404, 'NoSuchEntity');
    const list = await api(base, 'GET', '/users', { session: root });
    assert.deepEqual(list.body.users.map((u: { name: string }) => u.name), ['alice'], 'no half-made user is left behind');
    expectError(await api(base, 'PUT', `/users/${encodeURIComponent('../alice')}/status`, { session: root, body: { status: 'disabled' } }), 404, 'NoSuchEntity');
  });

  test('bad JSON, a missing CSRF token and no session are refused', async () => {
    expectError(await api(base, 'POST', '/users', { session: root, rawBody: '{"name": "x",' }), 400, 'InvalidRequest');
    expectError(await api(base, 'POST', '/users', { session: root, body: ['alice'] }), 400, 'InvalidRequest');
    expectError(await api(base, 'POST', '/users', { session: root, body: { name: 'carol', secretKey: BOB }, csrf: null }), 403, 'InvalidCsrfToken');
    expectError(await api(base, 'POST', '/users', { body: { name: 'carol', secretKey: BOB } }), 401, 'SessionExpired');
    expectError(await api(base, 'GET', '/users'), 401, 'SessionExpired');
    expectError(await api(base, 'PUT', '/users/alice/status', { session: root, body: { status: 'sleeping' } }), 400, 'InvalidRequest');
  });

  test('a user without admin rights is refused every identity change', async () => {
    const alice = await login(base, 'alice', ALICE);
    expectError(await api(base, 'GET', '/users', { session: alice }), 403, 'AccessDenied');
    expectError(await api(base, 'POST', '/users', { session: alice, body: { name: 'mallory', secretKey: BOB } }), 403, 'AccessDenied');
    expectError(await api(base, 'PUT', '/users/alice/policies', { session: alice, body: { policies: ['consoleAdmin'] } }), 403, 'AccessDenied');
    expectError(await api(base, 'GET', '/groups', { session: alice }), 403, 'AccessDenied');
    expectError(await api(base, 'POST', '/groups', { session: alice, body: { name: 'admins' } }), 403, 'AccessDenied');
    expectError(await api(base, 'GET', '/policies', { session: alice }), 403, 'AccessDenied');
    expectError(await api(base, 'POST', '/policies', { session: alice, body: { name: 'p', document: GOOD_POLICY } }), 403, 'AccessDenied');
    expectError(await api(base, 'GET', '/security/admin-networks', { session: alice }), 403, 'AccessDenied');
    expectError(await api(base, 'GET', '/access-keys?user=bob', { session: alice }), 403, 'AccessDenied');
    expectError(await api(base, 'DELETE', '/users/alice', { session: alice }), 403, 'AccessDenied');
    const users = await api(base, 'GET', '/users', { session: root });
    assert.deepEqual(users.body.users.find((u: { name: string }) => u.name === 'alice').policies, ['readonly'], 'nothing changed');
  });

  test('attach and detach policies, set groups, disable (the session ends), enable, remove', async () => {
    const made = await api(base, 'POST', '/users', { session: root, body: { name: 'bob', secretKey: BOB } });
    assert.equal(made.status, 201, made.text);
    let r = await api(base, 'PUT', '/users/bob/policies', { session: root, body: { policies: ['readonly', 'writeonly'] } });
    assert.deepEqual(r.body.policies, ['readonly', 'writeonly']);
    r = await api(base, 'PUT', '/users/bob/policies', { session: root, body: { policies: ['writeonly'] } });
    assert.deepEqual(r.body.policies, ['writeonly']);
    expectError(await api(base, 'PUT', '/users/bob/policies', { session: root, body: { policies: ['nope'] } }), 404, 'NoSuchEntity');

    assert.equal((await api(base, 'POST', '/groups', { session: root, body: { name: 'staff' } })).status, 201);
    assert.equal((await api(base, 'POST', '/groups', { session: root, body: { name: 'editors' } })).status, 201);
    r = await api(base, 'PUT', '/users/bob/groups', { session: root, body: { groups: ['staff', 'editors'] } });
    assert.deepEqual(r.body.groups.sort(), ['editors', 'staff']);
    r = await api(base, 'PUT', '/users/bob/groups', { session: root, body: { groups: ['editors'] } });
    assert.deepEqual(r.body.groups, ['editors']);
    expectError(await api(base, 'PUT', '/users/bob/groups', { session: root, body: { groups: ['editors', 'ghosts'] } }), 404, 'NoSuchEntity');

    const bob = await login(base, 'bob', BOB);
    assert.equal((await api(base, 'GET', '/session', { session: bob })).status, 200);
    r = await api(base, 'PUT', '/users/bob/status', { session: root, body: { status: 'disabled' } });
    assert.equal(r.body.status, 'disabled');
    expectError(await api(base, 'GET', '/session', { session: bob }), 401, 'SessionExpired');
    expectError(await api(base, 'POST', '/login', { body: { accessKey: 'bob', secretKey: BOB } }), 401, 'InvalidLogin');
    r = await api(base, 'PUT', '/users/bob/status', { session: root, body: { status: 'enabled' } });
    assert.equal(r.body.status, 'enabled');
    await login(base, 'bob', BOB);

    assert.equal((await api(base, 'DELETE', '/users/bob', { session: root })).status, 204);
    expectError(await api(base, 'DELETE', '/users/bob', { session: root }), 404, 'NoSuchEntity');
    const groups = await api(base, 'GET', '/groups', { session: root });
    assert.deepEqual(groups.body.groups.find((g: { name: string }) => g.name === 'editors').members, [], 'removing a user leaves no membership behind');
  });

  test('an admin cannot disable or remove the account they are logged in with', async () => {
    assert.equal((await api(base, 'POST', '/users', { session: root, body: { name: 'admin1', secretKey: 'Pz8#rTq2!mVw5Kx', policies: ['consoleAdmin'] } })).status, 201);
    const admin = await login(base, 'admin1', 'Pz8#rTq2!mVw5Kx');
    expectError(await api(base, 'PUT', '/users/admin1/status', { session: admin, body: { status: 'disabled' } }), 400, 'InvalidRequest');
    expectError(await api(base, 'DELETE', '/users/admin1', { session: admin }), 400, 'InvalidRequest');
    // Everything else is open to them, as to root.
    assert.equal((await api(base, 'GET', '/users', { session: admin })).status, 200);
  });
});

describe('groups', () => {
  test('add with members, set members, policies, disable, and remove only when empty', async () => {
    let r = await api(base, 'POST', '/groups', { session: root, body: { name: 'readers', members: ['alice'], policies: ['readonly'] } });
    assert.equal(r.status, 201, r.text);
    assert.deepEqual([r.body.members, r.body.policies], [['alice'], ['readonly']]);
    expectError(await api(base, 'POST', '/groups', { session: root, body: { name: 'readers' } }), 409, 'EntityAlreadyExists');
    expectError(await api(base, 'POST', '/groups', { session: root, body: { name: 'ghosts', members: ['nobody'] } }), 404, 'NoSuchEntity');
    expectError(await api(base, 'POST', '/groups', { session: root, body: { name: '../x' } }), 400, 'InvalidInput');
    assert.ok(!(await api(base, 'GET', '/groups', { session: root })).body.groups.some((g: { name: string }) => g.name === 'ghosts'));

    r = await api(base, 'PUT', '/groups/readers/members', { session: root, body: { members: ['alice', 'admin1'] } });
    assert.deepEqual(r.body.members, ['admin1', 'alice']);
    r = await api(base, 'PUT', '/groups/readers/policies', { session: root, body: { policies: ['readonly', 'diagnostics'] } });
    assert.deepEqual(r.body.policies.sort(), ['diagnostics', 'readonly']);
    r = await api(base, 'PUT', '/groups/readers/status', { session: root, body: { status: 'disabled' } });
    assert.equal(r.body.status, 'disabled');
    expectError(await api(base, 'DELETE', '/groups/readers', { session: root }), 409, 'DeleteConflict');
    r = await api(base, 'PUT', '/groups/readers/members', { session: root, body: { members: [] } });
    assert.deepEqual(r.body.members, []);
    assert.equal((await api(base, 'DELETE', '/groups/readers', { session: root })).status, 204);
    expectError(await api(base, 'PUT', '/groups/readers/status', { session: root, body: { status: 'enabled' } }), 404, 'NoSuchEntity');
  });
});

describe('policies', () => {
  test('built-ins are listed, readable and read-only', async () => {
    const list = await api(base, 'GET', '/policies', { session: root });
    const names = list.body.policies.filter((p: { builtin: boolean }) => p.builtin).map((p: { name: string }) => p.name);
    for (const n of ['consoleAdmin', 'readonly', 'readwrite', 'writeonly']) assert.ok(names.includes(n), n);
    assert.ok(list.body.policies.find((p: { name: string }) => p.name === 'readonly').attachedTo.users.includes('alice'));
    const one = await api(base, 'GET', '/policies/readonly', { session: root });
    assert.equal(one.status, 200);
    assert.equal(JSON.parse(one.body.document).Version, '2012-10-17');
    expectError(await api(base, 'PUT', '/policies/readonly', { session: root, body: { document: GOOD_POLICY } }), 400, 'InvalidInput');
    expectError(await api(base, 'DELETE', '/policies/readonly', { session: root }), 400, 'InvalidInput');
    expectError(await api(base, 'POST', '/policies', { session: root, body: { name: 'readonly', document: GOOD_POLICY } }), 409, 'EntityAlreadyExists');
    expectError(await api(base, 'GET', '/policies/nope', { session: root }), 404, 'NoSuchEntity');
  });

  test('a refused document says on which line and column the problem is', async () => {
    const unknownAction = GOOD_POLICY.replace('["s3:GetObject"]', '["s3:GetObject", "s3:Frobnicate"]');
    let r = await api(base, 'POST', '/policies', { session: root, body: { name: 'photos', document: unknownAction } });
    expectError(r, 400, 'MalformedPolicyDocument');
    assert.match(r.body.message, /s3:Frobnicate/);
    assert.equal(r.body.position.line, 4);
    assert.equal(unknownAction.slice(r.body.position.offset, r.body.position.offset + 15), '"s3:Frobnicate"');
    const lines = unknownAction.split('\n');
    assert.equal(lines[r.body.position.line - 1].slice(r.body.position.column - 1, r.body.position.column + 14), '"s3:Frobnicate"');

    const syntax = '{\n  "Version": "2012-10-17",\n  "Statement": [\n    { "Effect": "Allow" "Action": "s3:*", "Resource": "*" }\n  ]\n}';
    r = await api(base, 'POST', '/policies/check', { session: root, body: { document: syntax } });
    expectError(r, 400, 'MalformedPolicyDocument');
    assert.deepEqual([r.body.position.line, r.body.position.column], [4, 25]);

    const badEffect = '{\n  "Version": "2012-10-17",\n  "Statement": {\n    "Effect": "Alow",\n    "Action": "s3:*",\n    "Resource": "*"\n  }\n}';
    r = await api(base, 'POST', '/policies', { session: root, body: { name: 'photos', document: badEffect } });
    expectError(r, 400, 'MalformedPolicyDocument');
    assert.equal(r.body.position.line, 4);
    expectError(await api(base, 'GET', '/policies/photos', { session: root }), 404, 'NoSuchEntity');
  });

  test('create, check, replace (attached users get it at once), refuse removal while attached, remove', async () => {
    assert.deepEqual((await api(base, 'POST', '/policies/check', { session: root, body: { document: GOOD_POLICY } })).body, { valid: true });
    let r = await api(base, 'POST', '/policies', { session: root, body: { name: 'photos', document: GOOD_POLICY } });
    assert.equal(r.status, 201, r.text);
    assert.equal(r.body.document, GOOD_POLICY, 'the text is kept as written');
    expectError(await api(base, 'POST', '/policies', { session: root, body: { name: 'bad/name', document: GOOD_POLICY } }), 400, 'InvalidInput');
    expectError(await api(base, 'POST', '/policies', { session: root, body: { name: 'x', document: 'y'.repeat(50_000) } }), 400, 'InvalidRequest');
    const replaced = GOOD_POLICY.replace('photos/*', 'photos/2026/*');
    r = await api(base, 'PUT', '/policies/photos', { session: root, body: { document: replaced } });
    assert.equal(r.status, 200, r.text);
    assert.equal((await api(base, 'GET', '/policies/photos', { session: root })).body.document, replaced);
    expectError(await api(base, 'PUT', '/policies/photos', { session: root, body: { document: '{' } }), 400, 'MalformedPolicyDocument');
    assert.equal((await api(base, 'GET', '/policies/photos', { session: root })).body.document, replaced, 'a refused text changes nothing');
    expectError(await api(base, 'PUT', '/policies/ghost', { session: root, body: { document: GOOD_POLICY } }), 404, 'NoSuchEntity');

    await api(base, 'PUT', '/users/alice/policies', { session: root, body: { policies: ['readonly', 'photos'] } });
    expectError(await api(base, 'DELETE', '/policies/photos', { session: root }), 409, 'DeleteConflict');
    await api(base, 'PUT', '/users/alice/policies', { session: root, body: { policies: ['readonly'] } });
    assert.equal((await api(base, 'DELETE', '/policies/photos', { session: root })).status, 204);
  });
});

describe('access keys', () => {
  test('a user makes their own key: the secret is shown once, it signs S3 requests, and revoking ends it', async () => {
    const alice = await login(base, 'alice', ALICE);
    const expiry = new Date(Date.now() + 86_400_000).toISOString();
    const made = await api(base, 'POST', '/access-keys', { session: alice, body: { name: 'backup job', description: 'nightly rclone', expiry } });
    assert.equal(made.status, 201, made.text);
    assert.equal(made.body.parent, 'alice');
    assert.equal(typeof made.body.secretKey, 'string');
    assert.equal(made.body.expiry, expiry);
    const key = { endpoint: server.endpoint, accessKey: made.body.accessKey, secretKey: made.body.secretKey };
    assert.equal((await signedFetch(key, 'GET', '/')).status, 200);

    const list = await api(base, 'GET', '/access-keys', { session: alice });
    assert.deepEqual(list.body.accessKeys.map((k: { accessKey: string }) => k.accessKey), [made.body.accessKey]);
    assert.ok(!list.text.includes(made.body.secretKey), 'the secret is not shown again');
    assert.equal(list.body.accessKeys[0].name, 'backup job');

    let r = await api(base, 'PATCH', `/access-keys/${made.body.accessKey}`, { session: alice, body: { status: 'disabled' } });
    assert.equal(r.body.status, 'disabled');
    assert.equal((await signedFetch(key, 'GET', '/')).status, 403);
    r = await api(base, 'PATCH', `/access-keys/${made.body.accessKey}`, { session: alice, body: { status: 'enabled', expiry: null, description: 'kept' } });
    assert.equal(r.body.expiry, undefined);
    assert.equal(r.body.description, 'kept');
    assert.equal((await signedFetch(key, 'GET', '/')).status, 200);

    assert.equal((await api(base, 'DELETE', `/access-keys/${made.body.accessKey}`, { session: alice })).status, 204);
    assert.equal((await signedFetch(key, 'GET', '/')).status, 403);
    expectError(await api(base, 'DELETE', `/access-keys/${made.body.accessKey}`, { session: alice }), 404, 'NoSuchEntity');
  });

  test('an inline policy narrows the key; a bad one points at its line; past expiry and bad dates are refused', async () => {
    const alice = await login(base, 'alice', ALICE);
    const bad = await api(base, 'POST', '/access-keys', { session: alice, body: { policy: '{\n  "Version": "2012-10-17",\n  "Statement": 5\n}' } });
    expectError(bad, 400, 'MalformedPolicyDocument');
    assert.equal(bad.body.position.line, 3);
    expectError(await api(base, 'POST', '/access-keys', { session: alice, body: { expiry: '2001-01-01T00:00:00Z' } }), 400, 'InvalidInput');
    expectError(await api(base, 'POST', '/access-keys', { session: alice, body: { expiry: 'tomorrow' } }), 400, 'InvalidRequest');
    expectError(await api(base, 'POST', '/access-keys', { session: alice, body: { name: 'n'.repeat(65) } }), 400, 'InvalidRequest');
    assert.equal((await api(base, 'GET', '/access-keys', { session: alice })).body.accessKeys.length, 0, 'nothing was made');

    const rootKey = { endpoint: server.endpoint, accessKey: server.accessKey, secretKey: server.secretKey };
    for (const bucket of ['photos', 'other']) {
      assert.equal((await signedFetch(rootKey, 'PUT', `/${bucket}`)).status, 200);
      assert.equal((await signedFetch(rootKey, 'PUT', `/${bucket}/a.txt`, 'hello')).status, 200);
    }
    const photosOnly = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: ['s3:GetObject'], Resource: ['arn:aws:s3:::photos/*'] }] });
    const made = await api(base, 'POST', '/access-keys', { session: alice, body: { policy: photosOnly } });
    assert.equal(made.status, 201, made.text);
    assert.equal(made.body.policy, photosOnly);
    const key = { endpoint: server.endpoint, accessKey: made.body.accessKey, secretKey: made.body.secretKey };
    assert.equal((await signedFetch(key, 'GET', '/photos/a.txt')).status, 200);
    assert.equal((await signedFetch(key, 'GET', '/other/a.txt')).status, 403, 'alice (readonly) may read it; this key may not');
    assert.equal((await signedFetch({ endpoint: server.endpoint, accessKey: 'alice', secretKey: ALICE }, 'GET', '/other/a.txt')).status, 200);
  });

  test("another user's keys need the admin actions; root and admins manage them", async () => {
    const alice = await login(base, 'alice', ALICE);
    expectError(await api(base, 'POST', '/access-keys', { session: alice, body: { user: 'admin1' } }), 403, 'AccessDenied');
    const forAlice = await api(base, 'POST', '/access-keys', { session: root, body: { user: 'alice', name: 'made by root' } });
    assert.equal(forAlice.status, 201, forAlice.text);
    assert.equal(forAlice.body.parent, 'alice');
    const listed = await api(base, 'GET', '/access-keys?user=alice', { session: root });
    assert.ok(listed.body.accessKeys.some((k: { accessKey: string }) => k.accessKey === forAlice.body.accessKey));
    expectError(await api(base, 'GET', '/access-keys?user=nobody', { session: root }), 404, 'NoSuchEntity');
    const own = await api(base, 'POST', '/access-keys', { session: root, body: {} });
    assert.equal(own.body.parent, server.accessKey);
    const admin = await login(base, 'admin1', 'Pz8#rTq2!mVw5Kx');
    expectError(await api(base, 'PATCH', `/access-keys/${own.body.accessKey}`, { session: alice, body: { status: 'disabled' } }), 403, 'AccessDenied');
    expectError(await api(base, 'DELETE', `/access-keys/${own.body.accessKey}`, { session: alice }), 403, 'AccessDenied');
    assert.equal((await api(base, 'DELETE', `/access-keys/${own.body.accessKey}`, { session: admin })).status, 204);
    const all = await api(base, 'GET', '/access-keys?all=true', { session: admin });
    assert.ok(all.body.accessKeys.every((k: { parent: string }) => k.parent === 'alice'));
  });
});

describe('password and admin networks', () => {
  test('a user changes their password: the current one is required, the rules apply, other sessions end', async () => {
    assert.equal((await api(base, 'POST', '/users', { session: root, body: { name: 'carol', secretKey: 'Yt5%vBn1&cXm6Jq' } })).status, 201);
    const first = await login(base, 'carol', 'Yt5%vBn1&cXm6Jq');
    const second = await login(base, 'carol', 'Yt5%vBn1&cXm6Jq');
    expectError(await api(base, 'PUT', '/account/password', { session: first, body: { currentSecret: 'not-it-at-all', newSecret: 'Gr2^fKs8*dWp4Nz' } }), 403, 'WrongSecret');
    expectError(await api(base, 'PUT', '/account/password', { session: first, body: { currentSecret: 'Yt5%vBn1&cXm6Jq', newSecret: 'carol12345678' } }), 400, 'PasswordPolicyViolation');
    expectError(await api(base, 'PUT', '/account/password', { session: first, body: { currentSecret: 'Yt5%vBn1&cXm6Jq', newSecret: 'short' } }), 400, 'InvalidInput');
    expectError(await api(base, 'PUT', '/account/password', { session: first, body: { currentSecret: 'Yt5%vBn1&cXm6Jq', newSecret: 'Gr2^fKs8*dWp4Nz' }, csrf: null }), 403, 'InvalidCsrfToken');
    await login(base, 'carol', 'Yt5%vBn1&cXm6Jq'); // nothing changed yet

    const changed = await api(base, 'PUT', '/account/password', { session: first, body: { currentSecret: 'Yt5%vBn1&cXm6Jq', newSecret: 'Gr2^fKs8*dWp4Nz' } });
    assert.equal(changed.status, 200, changed.text);
    const renewed = sessionFrom(changed);
    assert.equal((await api(base, 'GET', '/session', { session: renewed })).status, 200, 'the session goes on with its new cookie');
    expectError(await api(base, 'GET', '/session', { session: first }), 401, 'SessionExpired');
    expectError(await api(base, 'GET', '/session', { session: second }), 401, 'SessionExpired');
    expectError(await api(base, 'POST', '/login', { body: { accessKey: 'carol', secretKey: 'Yt5%vBn1&cXm6Jq' } }), 401, 'InvalidLogin');
    await login(base, 'carol', 'Gr2^fKs8*dWp4Nz');
  });

  test("root's secret from the environment is changed there, not here", async () => {
    const r = await api(base, 'PUT', '/account/password', { session: root, body: { currentSecret: server.secretKey, newSecret: 'Mx9(hQj3)eVt7Lb' } });
    expectError(r, 409, 'RootSecretFromEnvironment');
    assert.match(r.body.message, /GRANARY_ROOT_PASSWORD/);
    assert.equal((await api(base, 'GET', '/session', { session: root })).status, 200);
  });

  test('admin networks are shown to admins, read-only', async () => {
    const r = await api(base, 'GET', '/security/admin-networks', { session: root });
    assert.equal(r.status, 200, r.text);
    assert.deepEqual(r.body, { cidrs: ['127.0.0.0/8', '::1/128'], yourAddress: '127.0.0.1', yourAddressAllowed: true });
    expectError(await api(base, 'PUT', '/security/admin-networks', { session: root, body: { cidrs: ['0.0.0.0/0'] } }), 404, 'NoSuchRoute');
  });
});
