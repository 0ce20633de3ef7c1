import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { ConsoleErrorBody, SessionInfo, SetupDisksResponse, SetupPreviewResponse, SetupResponse } from '../../engine/api/console/types.js';
import { tempDrives } from '../helpers/drives.js';
import { forkEngine, type EngineChild } from '../helpers/engine-child.js';
import { run } from '../helpers/run.js';
import { signedFetch } from '../helpers/signed-fetch.js';

const ROOT = 'setup-admin';
const PASSWORD = 'Vr8#tQ2!mZ5pLw9k';

/** No root credentials in the environment: setup chooses them. */
const ENV = { GRANARY_HEALTH_INTERVAL_MS: '500' };

describe('first-run setup through the engine process', () => {
  const t = tempDrives(4, 'granary-setup');
  const configDir = join(t.root, 'config');
  const args = ['--address', '127.0.0.1:0', '--console-address', '127.0.0.1:0', '--config-dir', configDir];
  let engine: EngineChild;
  let consoleUrl = '';
  let token = '';

  const call = (method: string, path: string, body?: unknown, setupToken: string | null = token) =>
    fetch(`${consoleUrl}/api/v1${path}`, {
      method,
      headers: { ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...(setupToken !== null ? { 'x-setup-token': setupToken } : {}) },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });

  before(() => {
    engine = forkEngine(args, ENV);
  });
  after(async () => {
    await engine.kill();
    t.cleanup();
  });

  it('starts in setup mode: ready with a setup URL carrying a token that the log also shows', async () => {
    const ready = await engine.next('ready');
    assert.equal(ready.s3Url, undefined);
    assert.ok(ready.setupUrl);
    const url = new URL(ready.setupUrl!);
    assert.equal(url.pathname, '/setup');
    token = url.searchParams.get('token')!;
    assert.ok(token.length >= 32);
    consoleUrl = ready.consoleUrl;
    assert.equal(url.origin, consoleUrl);
    assert.ok(engine.output().includes(ready.setupUrl!), 'the setup link is printed in the log');
    assert.deepEqual(await (await call('GET', '/setup', undefined, null)).json(), { needed: true });
    // The wizard's page itself is served.
    assert.equal((await fetch(ready.setupUrl!)).status, 200);
    // The rest of the console waits for setup.
    const session = await call('GET', '/session', undefined, null);
    assert.equal(session.status, 409);
    assert.equal(((await session.json()) as ConsoleErrorBody).code, 'SetupRequired');
  });

  it('refuses setup calls without the token or with a wrong one, and changes nothing', async () => {
    const body = { drives: t.drives, parity: 2, rootUser: ROOT, rootPassword: PASSWORD };
    for (const given of [null, '', 'wrong-token', token.slice(0, -1)]) {
      for (const [method, path, b] of [['GET', '/setup/disks', undefined], ['POST', '/setup/preview', { drives: t.drives, parity: 2 }], ['POST', '/setup', body]] as const) {
        const res = await call(method, path, b, given);
        assert.equal(res.status, 403, `${method} ${path} with token ${given}`);
        assert.equal(((await res.json()) as ConsoleErrorBody).code, 'InvalidSetupToken');
      }
    }
    assert.equal(existsSync(join(configDir, 'engine.json')), false);
    assert.equal(existsSync(join(configDir, 'root-credentials.json')), false);
    assert.equal(t.drives.some((d) => existsSync(d)), false, 'no drive was created');
  });

  it('lists the mounted filesystems', async () => {
    const res = await call('GET', '/setup/disks');
    assert.equal(res.status, 200);
    const { disks } = (await res.json()) as SetupDisksResponse;
    assert.ok(disks.length >= 1);
    const rootFs = disks.find((d) => d.mount === '/');
    assert.ok(rootFs, 'the root filesystem is listed');
    assert.ok(rootFs.sizeBytes > 0 && rootFs.freeBytes > 0 && rootFs.freeBytes <= rootFs.sizeBytes);
    assert.equal(typeof rootFs.fs, 'string');
    assert.match(rootFs.device, /^\/dev\//);
  });

  it('previews 4 drives with parity 2: 2 data, 2 parity, any 2 may fail', async () => {
    const res = await call('POST', '/setup/preview', { drives: t.drives, parity: 2 });
    assert.equal(res.status, 200);
    const p = (await res.json()) as SetupPreviewResponse;
    assert.equal(p.ok, true, JSON.stringify(p));
    assert.equal(p.error, undefined);
    assert.equal(p.dataDrives, 2);
    assert.equal(p.parityDrives, 2);
    assert.equal(p.canLose, 2);
    assert.deepEqual(p.perDrive.map((d) => d.path), t.drives);
    assert.ok(p.perDrive.every((d) => d.ok && d.freeBytes > 0));
    // The test's folders are all on one filesystem: its free space is counted once, split among the 4.
    assert.equal(p.disks, 1);
    assert.equal(p.usableBytes, Math.floor(2 * Math.min(...p.perDrive.map((d) => d.freeBytes / 4))));
    assert.equal(p.rawBytes, Math.round(p.perDrive.reduce((a, d) => a + d.freeBytes / 4, 0)));
    assert.equal(t.drives.some((d) => existsSync(d)), false, 'a preview writes nothing');
  });

  it('previews bad choices with the reason per drive and for the whole', async () => {
    const file = join(t.root, 'a-file');
    writeFileSync(file, 'x');
    const full = join(t.root, 'full');
    mkdirSync(full);
    writeFileSync(join(full, 'photo.jpg'), 'x');
    const p = (await (await call('POST', '/setup/preview', { drives: ['relative/d1', file, full, t.drives[0], t.drives[0]], parity: 2 })).json()) as SetupPreviewResponse;
    assert.equal(p.ok, false);
    assert.match(p.error!, /4 of the 5 drives cannot be used/);
    const problems = p.perDrive.map((d) => d.problem ?? '');
    assert.match(problems[0], /full path/);
    assert.match(problems[1], /is a file/);
    assert.match(problems[2], /not empty/);
    assert.equal(p.perDrive[3].ok, true);
    assert.match(problems[4], /chosen twice/);

    const one = (await (await call('POST', '/setup/preview', { drives: [t.drives[0]], parity: 1 })).json()) as SetupPreviewResponse;
    assert.equal(one.ok, false);
    assert.match(one.error!, /at least 2 drives/);
    const tooMuchParity = (await (await call('POST', '/setup/preview', { drives: t.drives, parity: 3 })).json()) as SetupPreviewResponse;
    assert.equal(tooMuchParity.ok, false);
    assert.match(tooMuchParity.error!, /parity must be a whole number from 1 to 2/);
    const malformed = await call('POST', '/setup/preview', ['not', 'an', 'object']);
    assert.equal(malformed.status, 400);
  });

  it('refuses a weak root password, a bad user name and bad drives, changing nothing', async () => {
    for (const [body, code, message] of [
      [{ drives: t.drives, parity: 2, rootUser: ROOT, rootPassword: 'password123!' }, 'PasswordPolicyViolation', /root password is refused: it is a common password/],
      [{ drives: t.drives, parity: 2, rootUser: ROOT, rootPassword: 'short' }, 'PasswordPolicyViolation', /at least 12 characters/],
      [{ drives: t.drives, parity: 2, rootUser: ROOT, rootPassword: `${ROOT}!!` }, 'PasswordPolicyViolation', /access key/],
      [{ drives: t.drives, parity: 2, rootUser: 'a b', rootPassword: PASSWORD }, 'InvalidInput', /access key/],
      [{ drives: [t.drives[0]], parity: 1, rootUser: ROOT, rootPassword: PASSWORD }, 'InvalidRequest', /at least 2 drives/],
      [{ drives: [...t.drives.slice(0, 3), 'rel'], parity: 2, rootUser: ROOT, rootPassword: PASSWORD }, 'InvalidRequest', /rel: give the full path/],
    ] as const) {
      const res = await call('POST', '/setup', body);
      assert.equal(res.status, 400, JSON.stringify(body));
      const e = (await res.json()) as ConsoleErrorBody;
      assert.equal(e.code, code);
      assert.match(e.message, message);
    }
    assert.equal(existsSync(join(configDir, 'engine.json')), false);
    assert.equal(existsSync(join(configDir, 'root-credentials.json')), false);
    assert.equal(t.drives.some((d) => existsSync(d)), false);
    assert.deepEqual(await (await call('GET', '/setup', undefined, null)).json(), { needed: true });
  });

  it('a successful setup brings up S3 with the chosen root, the console login, and client configurations that work', async () => {
    const readyCount = engine.messages.length;
    const res = await call('POST', '/setup', { drives: t.drives, parity: 2, rootUser: ROOT, rootPassword: PASSWORD });
    const answer = (await res.json()) as SetupResponse;
    assert.equal(res.status, 200, JSON.stringify(answer));
    assert.match(answer.s3Endpoint, /^http:\/\/127\.0\.0\.1:\d+$/);
    assert.equal(answer.consoleUrl, consoleUrl, 'the console keeps its address');
    assert.deepEqual(answer.lanAddresses, [], 'S3 listens on loopback only here');
    const ready = await engine.next('ready', readyCount);
    assert.equal(ready.s3Url, answer.s3Endpoint);
    assert.equal(ready.setupUrl, undefined);
    assert.equal((await engine.next('health', readyCount)).summary.state, 'ok');

    const account = { endpoint: answer.s3Endpoint, accessKey: ROOT, secretKey: PASSWORD };
    assert.equal((await signedFetch(account, 'PUT', '/after-setup')).status, 200);
    assert.equal((await signedFetch(account, 'PUT', '/after-setup/hello.txt', 'hello from setup')).status, 200);
    assert.equal((await signedFetch({ ...account, secretKey: 'Not-the-password-1' }, 'GET', '/after-setup/hello.txt')).status, 403);

    // The full console answers on the same port: login with the new root, and setup is over.
    const login = await fetch(`${consoleUrl}/api/v1/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ accessKey: ROOT, secretKey: PASSWORD }) });
    assert.equal(login.status, 200, await login.clone().text());
    assert.equal(((await login.json()) as SessionInfo).identity.type, 'root');
    assert.deepEqual(await (await call('GET', '/setup', undefined, null)).json(), { needed: false });
    const second = await call('POST', '/setup', { drives: t.drives, parity: 2, rootUser: 'other-root', rootPassword: PASSWORD });
    assert.equal(second.status, 409);
    assert.equal(((await second.json()) as ConsoleErrorBody).code, 'SetupAlreadyDone');

    const saved = JSON.parse(readFileSync(join(configDir, 'engine.json'), 'utf8'));
    assert.deepEqual({ drives: saved.drives, parity: saved.parity }, { drives: t.drives, parity: 2 });

    // The configurations the finish page shows, used by the real clients.
    const awsConfigFile = join(t.root, 'aws-config');
    writeFileSync(awsConfigFile, answer.awsConfig);
    const aws = await run('/usr/bin/aws', ['--profile', 'granary', '--endpoint-url', answer.s3Endpoint, 's3', 'ls', 's3://after-setup/'], {
      PATH: '/usr/bin:/bin', HOME: t.root, AWS_CONFIG_FILE: awsConfigFile, AWS_SHARED_CREDENTIALS_FILE: join(t.root, 'no-credentials'),
    });
    assert.match(aws.stdout, /hello\.txt/);
    const rcloneFile = join(t.root, 'rclone.conf');
    writeFileSync(rcloneFile, answer.rcloneConfig);
    const rclone = await run('/usr/bin/rclone', ['--config', rcloneFile, 'cat', 'granary:after-setup/hello.txt'], { PATH: '/usr/bin:/bin', HOME: t.root });
    assert.equal(rclone.stdout, 'hello from setup');
  });

  it('a restart reuses the saved drives and root: no setup, the object is there', async () => {
    engine.send({ type: 'shutdown' });
    await engine.next('stopped');
    assert.equal((await engine.exited).code, 0);
    engine = forkEngine(args, ENV);
    const ready = await engine.next('ready');
    assert.equal(ready.setupUrl, undefined);
    assert.ok(ready.s3Url);
    const got = await signedFetch({ endpoint: ready.s3Url!, accessKey: ROOT, secretKey: PASSWORD }, 'GET', '/after-setup/hello.txt');
    assert.equal(await got.text(), 'hello from setup');
    assert.deepEqual(await (await fetch(`${ready.consoleUrl}/api/v1/setup`)).json(), { needed: false });
    assert.match(engine.output(), /Drives from .*engine\.json/);
  });
});
