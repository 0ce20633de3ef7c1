import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { signRequest } from '../../engine/s3/auth/signer.js';
import { run } from '../helpers/run.js';
import { startServer, type RunningServer } from '../helpers/server.js';
import { signedFetch, type Account } from '../helpers/signed-fetch.js';

/**
 * `granary admin` end to end: the CLI as a child process with a clean
 * environment against a real server, checked through its --json output and
 * through what the identities it makes can then do over S3.
 *
 * Loading the TypeScript sources through tsx costs about a second per
 * process, and this file starts some sixty; so the CLI entry (main.ts) is
 * bundled once with esbuild (already here, under tsx) and run by plain node.
 * A few runs go through tsx and the real file, so that path is covered too.
 */
const MAIN = join(import.meta.dirname, '../../engine/cli/main.ts');
const EMPTY_SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';

type Server = RunningServer & { kill: () => Promise<void> };
let server: Server;
/** The second server: admin API from 127.0.0.1 only, root generated (so it can be rotated). */
let guarded: Server;
let guardedRoot: { accessKey: string; secretKey: string };
let scratch: string;
/** How to start the CLI: node and its arguments before `admin`. */
let entry: string[] = ['--import', 'tsx', MAIN];

/** main.ts and everything `granary admin` imports in one file; the server command stays a lazy import it never reaches. */
async function bundleCli(): Promise<string[]> {
  const { build } = await import('esbuild');
  const outfile = join(scratch, 'granary.mjs');
  await build({ entryPoints: [MAIN], outfile, bundle: true, platform: 'node', format: 'esm', target: 'node20', external: ['./server-command.js'], logLevel: 'error' });
  return [outfile];
}

interface Run { code: number; stdout: string; stderr: string }

/** `granary admin ARGS` with nothing from the developer's environment but PATH. */
function cli(args: string[], opts: { env?: Record<string, string>; input?: string; viaTsx?: boolean } = {}): Promise<Run> {
  return run(process.execPath, [...(opts.viaTsx ? ['--import', 'tsx', MAIN] : entry), 'admin', ...args], { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: scratch, ...opts.env }, { allowFail: true, ...(opts.input !== undefined ? { input: opts.input } : {}), timeoutMs: 30_000 });
}

/** As root of the main server, connection given by flags. */
function admin(args: string[], opts: { input?: string; as?: { accessKey: string; secretKey: string } } = {}): Promise<Run> {
  const who = opts.as ?? server;
  return cli(['--endpoint', server.endpoint, '--access-key', who.accessKey, '--secret-key', who.secretKey, ...args], opts.input !== undefined ? { input: opts.input } : {});
}

async function ok(args: string[], opts: { input?: string; as?: { accessKey: string; secretKey: string } } = {}): Promise<string> {
  const r = await admin(args, opts);
  assert.equal(r.code, 0, `granary admin ${args.join(' ')} exited ${r.code}\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
}

async function json<T>(args: string[], opts: { as?: { accessKey: string; secretKey: string } } = {}): Promise<T> {
  return JSON.parse(await ok(['--json', ...args], opts)) as T;
}

/** Exit 1 with `granary admin: CODE: …` on stderr; returns the message. */
async function refused(code: string, args: string[], opts: { as?: { accessKey: string; secretKey: string } } = {}): Promise<string> {
  const r = await admin(args, opts);
  assert.equal(r.code, 1, `granary admin ${args.join(' ')} should fail\n${r.stdout}\n${r.stderr}`);
  const m = /^granary admin: ([A-Za-z0-9]+): (.*)\n$/.exec(r.stderr);
  assert.ok(m, `error line: ${JSON.stringify(r.stderr)}`);
  assert.equal(m[1], code, r.stderr);
  return m[2];
}

function file(name: string, text: string): string {
  const path = join(scratch, name);
  writeFileSync(path, text);
  return path;
}

const account = (accessKey: string, secretKey: string): Account => ({ endpoint: server.endpoint, accessKey, secretKey });

async function s3Code(res: Response): Promise<string> {
  const text = await res.text();
  return /<Code>([^<]+)<\/Code>/.exec(text)?.[1] ?? String(res.status);
}

before(async () => {
  scratch = mkdtempSync(join(tmpdir(), 'granary-admin-cli-'));
  // Undefined values are left out of the child's environment: no root from the environment, so it is generated.
  const noRootEnv = { GRANARY_ROOT_USER: undefined, GRANARY_ROOT_PASSWORD: undefined } as unknown as Record<string, string>;
  [server, guarded, entry] = await Promise.all([startServer(), startServer({ args: ['--admin-allow', '127.0.0.1/32'], env: noRootEnv }), bundleCli()]);
  for (let i = 0; i < 50 && !/secret key: \S+/.test(guarded.output()); i++) await new Promise((r) => setTimeout(r, 100));
  const out = guarded.output();
  guardedRoot = { accessKey: /access key: (\S+)/.exec(out)![1], secretKey: /secret key: (\S+)/.exec(out)![1] };
});

after(async () => {
  await Promise.all([server?.stop(), guarded?.stop()]);
  rmSync(scratch, { recursive: true, force: true });
});

// The four parts share the servers but not their identities, so they run side by side; each runs its steps in order.
describe('granary admin', { concurrency: true }, () => {
  describe('granary admin: usage', { concurrency: false }, () => {
    test('help, unknown commands and missing arguments', async () => {
      const [help, userHelp, unknown, noCommand, attachBoth, noCreds, extra, badExpiry] = await Promise.all([
        cli(['--help']),
        cli(['user', '--help']),
        cli(['user', 'frob']),
        cli([]),
        cli(['policy', 'attach', 'p', '--user', 'u', '--group', 'g'], { env: { GRANARY_ROOT_USER: 'x', GRANARY_ROOT_PASSWORD: 'y' } }),
        cli(['user', 'list']),
        cli(['user', 'info', 'a', 'b']),
        cli(['svcacct', 'add', '--expiry', 'soon'], { env: { GRANARY_ROOT_USER: 'x', GRANARY_ROOT_PASSWORD: 'y' } }),
      ]);
      assert.equal(help.code, 0);
      for (const c of ['user add NAME', 'group members NAME', 'policy create NAME FILE', 'svcacct add', 'info', 'root rotate', 'GRANARY_ENDPOINT']) assert.ok(help.stdout.includes(c), `--help shows ${c}`);
      assert.equal(userHelp.code, 0);
      assert.match(userHelp.stdout, /user add NAME \[SECRET\|-\] \[--policy P\]\.\.\./);
      assert.doesNotMatch(userHelp.stdout, /group add/, 'user --help shows the user commands only');
      assert.equal(unknown.code, 2);
      assert.match(unknown.stderr, /^granary admin: unknown command "user frob"\n\nusage: granary admin/);
      assert.equal(noCommand.code, 2);
      assert.match(noCommand.stderr, /no command given[\s\S]*usage:/);
      assert.equal(attachBoth.code, 2);
      assert.match(attachBoth.stderr, /exactly one of --user USER or --group GROUP/);
      assert.equal(noCreds.code, 2);
      assert.match(noCreds.stderr, /no credentials/);
      assert.equal(extra.code, 2);
      assert.match(extra.stderr, /user info takes at most 1 argument/);
      assert.equal(badExpiry.code, 2);
      assert.match(badExpiry.stderr, /--expiry "soon" is neither an ISO 8601 date/);
    });

    test('the unbundled entry (tsx, engine/cli/main.ts) runs admin commands', async () => {
      const [help, info] = await Promise.all([
        cli(['--help'], { viaTsx: true }),
        cli(['--endpoint', server.endpoint, '--access-key', server.accessKey, '--secret-key', server.secretKey, '--json', 'info'], { viaTsx: true }),
      ]);
      assert.equal(help.code, 0, help.stderr);
      assert.match(help.stdout, /^usage: granary admin/);
      assert.equal(info.code, 0, info.stderr);
      assert.equal(JSON.parse(info.stdout).version, '0.1.0');
    });

    test('an unreachable endpoint is an error, not a crash', async () => {
      const r = await cli(['--endpoint', 'http://127.0.0.1:1999', '--access-key', 'a', '--secret-key', 'b', 'info']);
      assert.equal(r.code, 1);
      assert.match(r.stderr, /^granary admin: cannot reach http:\/\/127\.0\.0\.1:1999: .*ECONNREFUSED/);
    });
  });

  describe('granary admin: users, groups, policies', { concurrency: false }, () => {
    let aliceSecret: string;

    test('users: add (generated and given secrets), list, info, disable, enable, secret', async () => {
      const [added, , carol] = await Promise.all([
        ok(['user', 'add', 'alice']),
        ok(['user', 'add', 'bob', 'Bob-secret-9f2c1e', '--policy', 'readonly']),
        json<{ name: string; secretKey: string }>(['user', 'add', 'carol']),
      ]);
      aliceSecret = /Secret key \(shown only this once\): (\S+)/.exec(added)?.[1] ?? '';
      assert.ok(aliceSecret.length >= 40, added);
      assert.equal(carol.name, 'carol');
      assert.ok(carol.secretKey.length >= 40, '--json still carries the generated secret');

      // The generated secret signs: a user may read their own account without admin rights.
      const self = await json<{ name: string }>(['user', 'info', 'alice'], { as: { accessKey: 'alice', secretKey: aliceSecret } });
      assert.equal(self.name, 'alice');

      const users = await json<{ name: string; status: string; policies: string[] }[]>(['user', 'list']);
      assert.deepEqual(users.map((u) => u.name).filter((n) => ['alice', 'bob', 'carol'].includes(n)), ['alice', 'bob', 'carol'], 'listed, sorted by name');
      assert.deepEqual(users.find((u) => u.name === 'bob')?.policies, ['readonly']);
      const table = await ok(['user', 'list']);
      assert.match(table, /^NAME\s+STATUS\s+POLICIES\s+GROUPS/);
      assert.match(table, /\nbob\s+enabled\s+readonly\s/);

      const disabled = await admin(['--json', 'user', 'disable', 'bob']);
      assert.equal(disabled.code, 0);
      assert.equal(disabled.stdout, '', '--json prints nothing for a change without an answer body');
      assert.equal((await json<{ status: string }>(['user', 'info', 'bob'])).status, 'disabled');
      assert.match(await ok(['user', 'enable', 'bob']), /Enabled user bob/);
      assert.match(await ok(['user', 'info', 'bob']), /Status:\s+enabled/);

      await ok(['user', 'secret', 'carol', '-'], { input: 'Carol-new-secret-7c1d\n' });
      assert.equal((await json<{ name: string }>(['user', 'info', 'carol'], { as: { accessKey: 'carol', secretKey: 'Carol-new-secret-7c1d' } })).name, 'carol');
      assert.match(await refused('PasswordPolicyViolation', ['user', 'secret', 'carol', 'password1234']), /secret key is refused/);
      assert.match(await refused('NoSuchEntity', ['user', 'info', 'nobody']), /"nobody" does not exist/);
    });

    test('a non-admin user is refused with AccessDenied', async () => {
      const message = await refused('AccessDenied', ['user', 'list'], { as: { accessKey: 'bob', secretKey: 'Bob-secret-9f2c1e' } });
      assert.match(message, /admin:ListUsers/);
      await refused('AccessDenied', ['user', 'add', 'mallory'], { as: { accessKey: 'bob', secretKey: 'Bob-secret-9f2c1e' } });
      await refused('SignatureDoesNotMatch', ['user', 'list'], { as: { accessKey: 'bob', secretKey: 'Bob-wrong-secret-123' } });
    });

    test('groups: add with members, members --add/--remove, disable, list, remove', async () => {
      assert.match(await ok(['group', 'add', 'staff', 'alice', 'bob']), /Created group staff with alice, bob/);
      assert.deepEqual((await json<{ members: string[] }>(['group', 'info', 'staff'])).members, ['alice', 'bob']);
      assert.deepEqual((await json<{ members: string[] }>(['group', 'members', 'staff', '--remove', 'alice'])).members, ['bob']);
      assert.match(await ok(['group', 'members', 'staff', '--add', 'alice', '--add', 'carol']), /Members of staff: alice, bob, carol/);
      assert.match(await ok(['group', 'members', 'staff']), /alice, bob, carol/, 'without --add/--remove it lists');
      await ok(['group', 'disable', 'staff']);
      const groups = await json<{ name: string; status: string; members: string[] }[]>(['group', 'list']);
      assert.deepEqual(groups.map((g) => [g.name, g.status]), [['staff', 'disabled']]);
      assert.deepEqual((await json<{ groups: string[] }>(['user', 'info', 'carol'])).groups, ['staff']);
      await ok(['group', 'enable', 'staff']);
      await ok(['group', 'add', 'empty']);
      await ok(['group', 'remove', 'empty']);
      await refused('DeleteConflict', ['group', 'remove', 'staff']);
      await refused('NoSuchEntity', ['group', 'members', 'staff', '--add', 'ghost']);
    });

    test('policies: create from a file and stdin, refuse a bad one by name, attach, detach, remove', async () => {
      const doc = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: ['s3:GetObject'], Resource: ['arn:aws:s3:::reports/*'] }] };
      assert.match(await ok(['policy', 'create', 'reports-read', file('reports.json', JSON.stringify(doc))]), /Created policy reports-read/);
      await ok(['policy', 'create', 'list-all', '-'], { input: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 's3:ListAllMyBuckets', Resource: '*' }] }) });

      const bad = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::reports/*', Colour: 'blue' }] };
      assert.match(await refused('MalformedPolicyDocument', ['policy', 'create', 'bad', file('bad.json', JSON.stringify(bad))]), /Statement\[0\]: unknown field "Colour"/);
      assert.match(await refused('MalformedPolicyDocument', ['policy', 'create', 'bad', file('bad2.json', '{"Version": "2012-10-17", "Statement": [')]), /JSON/);
      const missing = await admin(['policy', 'create', 'bad', join(scratch, 'nope.json')]);
      assert.equal(missing.code, 1);
      assert.match(missing.stderr, /cannot read .*nope\.json: no such file/);

      const policies = await json<{ name: string; builtin: boolean; created?: string }[]>(['policy', 'list']);
      const mine = policies.find((p) => p.name === 'reports-read');
      assert.equal(mine?.builtin, false);
      assert.match(mine?.created ?? '', /^\d{4}-\d{2}-\d{2}T/);
      assert.equal(policies.find((p) => p.name === 'readonly')?.builtin, true);
      assert.ok(!policies.some((p) => p.name === 'bad'));
      assert.deepEqual((await json<{ policy: unknown }>(['policy', 'info', 'reports-read'])).policy, doc);

      await ok(['policy', 'attach', 'reports-read', '--user', 'alice']);
      await ok(['policy', 'attach', 'list-all', '--group', 'staff']);
      assert.deepEqual((await json<{ policies: string[] }>(['user', 'info', 'alice'])).policies, ['reports-read']);
      assert.deepEqual((await json<{ policies: string[] }>(['group', 'info', 'staff'])).policies, ['list-all']);
      await refused('DeleteConflict', ['policy', 'remove', 'reports-read']);
      await ok(['policy', 'detach', 'reports-read', '--user', 'alice']);
      assert.match(await ok(['policy', 'remove', 'reports-read']), /Removed policy reports-read/);
      await refused('NoSuchEntity', ['policy', 'info', 'reports-read']);
    });

    test('info shows four online drives in one 2+2 set (environment connection; a flag wins over it)', async () => {
      const env = { GRANARY_ENDPOINT: server.endpoint, GRANARY_ROOT_USER: server.accessKey, GRANARY_ROOT_PASSWORD: server.secretKey };
      const [text, raw, flagWins] = await Promise.all([
        cli(['info'], { env }),
        cli(['info', '--json'], { env }),
        cli(['--secret-key', server.secretKey, 'info', '--json'], { env: { ...env, GRANARY_ROOT_PASSWORD: 'Not-the-secret-123' } }),
      ]);
      for (const r of [text, raw, flagWins]) assert.equal(r.code, 0, r.stderr);
      const info = JSON.parse(raw.stdout) as { version: string; sets: { k: number; m: number; state: string; drives: { path: string; state: string; totalBytes?: number }[] }[] };
      assert.equal(info.sets.length, 1);
      assert.equal(`${info.sets[0].k}+${info.sets[0].m}`, '2+2');
      assert.equal(info.sets[0].drives.filter((d) => d.state === 'online').length, 4);
      assert.ok(info.sets[0].drives.every((d) => (d.totalBytes ?? 0) > 0));
      // Free space moves between two calls (the disk is shared), so compare what does not.
      const shape = (v: typeof info) => v.sets.map((s) => s.drives.map((d) => `${d.path} ${d.state}`));
      assert.deepEqual(shape(JSON.parse(flagWins.stdout) as typeof info), shape(info));
      assert.match(text.stdout, /Version:\s+0\.1\.0/);
      assert.match(text.stdout, /Drives:\s+4 of 4 online/);
      assert.match(text.stdout, /\n1\s+2\+2\s+healthy\n/);
      for (const d of server.drives) assert.match(text.stdout, new RegExp(`\\n1\\s+${d.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\s+online\\s+\\S+ \\S+\\s+\\S+ \\S+`));
    });
  });

  describe('granary admin: service accounts', { concurrency: false }, () => {
    const inline = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: ['s3:GetObject'], Resource: ['arn:aws:s3:::inbox/*'] }] };
    let key: { accessKey: string; secretKey: string };

    test('svcacct add --policy makes a key that can do only what its inline policy allows', async () => {
      const root = account(server.accessKey, server.secretKey);
      for (const b of ['inbox', 'other']) assert.equal((await signedFetch(root, 'PUT', `/${b}`)).status, 200);
      assert.equal((await signedFetch(root, 'PUT', '/inbox/letter.txt', 'dear admin')).status, 200);
      assert.equal((await signedFetch(root, 'PUT', '/other/secret.txt', 'not for the key')).status, 200);
      await ok(['user', 'add', 'writer', 'Writer-secret-4e8a2b', '--policy', 'readwrite']);

      const created = await json<{ accessKey: string; secretKey: string; parent: string; expiry: string; name: string; policy: unknown }>(
        ['svcacct', 'add', '--user', 'writer', '--policy', file('inline.json', JSON.stringify(inline)), '--expiry', '30d', '--name', 'inbox-reader', '--description', 'reads the inbox'],
      );
      key = { accessKey: created.accessKey, secretKey: created.secretKey };
      assert.equal(created.parent, 'writer');
      assert.equal(created.name, 'inbox-reader');
      assert.deepEqual(created.policy, inline);
      const days = (Date.parse(created.expiry) - Date.now()) / 86_400_000;
      assert.ok(days > 29.9 && days <= 30, `expiry in 30 days, got ${created.expiry}`);

      const sa = account(key.accessKey, key.secretKey);
      const got = await signedFetch(sa, 'GET', '/inbox/letter.txt');
      assert.equal(got.status, 200);
      assert.equal(await got.text(), 'dear admin');
      assert.equal(await s3Code(await signedFetch(sa, 'PUT', '/inbox/reply.txt', 'no')), 'AccessDenied', 'the parent may write, the key may not');
      assert.equal(await s3Code(await signedFetch(sa, 'GET', '/other/secret.txt')), 'AccessDenied');
      assert.equal((await signedFetch(account('writer', 'Writer-secret-4e8a2b'), 'PUT', '/inbox/reply.txt', 'yes')).status, 200, 'the parent itself can write');
    });

    test('svcacct list, info, disable, enable, and a key named by --access-key/--secret-key after "svcacct add"', async () => {
      // Connection from the environment, so --access-key/--secret-key after "svcacct add" name the new key.
      const env = { GRANARY_ENDPOINT: server.endpoint, GRANARY_ROOT_USER: server.accessKey, GRANARY_ROOT_PASSWORD: server.secretKey };
      const named = await cli(['svcacct', 'add', '--user', 'writer', '--access-key', 'writer-ci-key', '--secret-key', 'Ci-secret-5b7e3d91'], { env });
      assert.equal(named.code, 0, named.stderr);
      assert.match(named.stdout, /Access key:\s+writer-ci-key\n/);
      assert.match(named.stdout, /Secret key:\s+Ci-secret-5b7e3d91 {2}\(shown only this once\)/);
      assert.equal((await signedFetch(account('writer-ci-key', 'Ci-secret-5b7e3d91'), 'GET', '/inbox/letter.txt')).status, 200);

      const list = await json<{ accessKey: string; parent: string; policy?: unknown; secretKey?: string }[]>(['svcacct', 'list', '--user', 'writer']);
      assert.deepEqual(list.map((s) => s.accessKey).sort(), [key.accessKey, 'writer-ci-key'].sort());
      assert.ok(list.every((s) => s.parent === 'writer' && s.secretKey === undefined), 'secrets are never listed');
      const table = await ok(['svcacct', 'list']);
      assert.match(table, new RegExp(`${key.accessKey}\\s+writer\\s+enabled\\s+\\S+ \\S+\\s+inline\\s+inbox-reader`));
      const info = await ok(['svcacct', 'info', key.accessKey]);
      assert.match(info, /Policy:\s+inline/);
      assert.match(info, /"arn:aws:s3:::inbox\/\*"/);
      assert.doesNotMatch(info, new RegExp(key.secretKey));

      await ok(['svcacct', 'disable', key.accessKey]);
      assert.equal((await signedFetch(account(key.accessKey, key.secretKey), 'GET', '/inbox/letter.txt')).status, 403);
      assert.equal((await json<{ status: string }>(['svcacct', 'enable', key.accessKey])).status, 'enabled');
      assert.equal((await signedFetch(account(key.accessKey, key.secretKey), 'GET', '/inbox/letter.txt')).status, 200);

      await ok(['svcacct', 'remove', 'writer-ci-key']);
      await refused('NoSuchEntity', ['svcacct', 'info', 'writer-ci-key']);
    });

    test('user remove removes the user\'s service accounts too', async () => {
      await ok(['svcacct', 'add', '--user', 'writer']);
      assert.equal((await json<unknown[]>(['svcacct', 'list', '--user', 'writer'])).length, 2);
      assert.match(await ok(['user', 'remove', 'writer']), /Removed user writer/);
      const left = await json<{ parent: string }[]>(['svcacct', 'list']);
      assert.ok(!left.some((s) => s.parent === 'writer'), JSON.stringify(left));
      await refused('NoSuchEntity', ['svcacct', 'info', key.accessKey]);
      assert.equal(await s3Code(await signedFetch(account(key.accessKey, key.secretKey), 'GET', '/inbox/letter.txt')), 'InvalidAccessKeyId');
    });
  });

  describe('granary admin: allowed networks and root rotation', { concurrency: false }, () => {
    /** A signed admin GET from a chosen loopback address (Linux routes all of 127/8 to lo). */
    function adminGetFrom(localAddress: string, path: string): Promise<{ status: number; body: string }> {
      const url = new URL(`${guarded.endpoint}/granary/admin/v1/${path}`);
      const headers = signRequest({ method: 'GET', url, headers: {}, payloadHash: EMPTY_SHA256, accessKey: guardedRoot.accessKey, secretKey: guardedRoot.secretKey, region: 'us-east-1', service: 's3' });
      return new Promise((resolve, reject) => {
        const req = request({ host: url.hostname, port: url.port, path: url.pathname, method: 'GET', headers, localAddress }, (res) => {
          let body = '';
          res.on('data', (d: Buffer) => { body += d.toString(); });
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
        });
        req.on('error', reject);
        req.end();
      });
    }

    test('--admin-allow 127.0.0.1/32 refuses 127.0.0.2 with AccessDenied and answers 127.0.0.1', async () => {
      const refusedReply = await adminGetFrom('127.0.0.2', 'info');
      assert.equal(refusedReply.status, 403);
      const body = JSON.parse(refusedReply.body) as { Code: string; Message: string };
      assert.equal(body.Code, 'AccessDenied');
      assert.match(body.Message, /127\.0\.0\.2/);
      assert.equal((await adminGetFrom('127.0.0.1', 'info')).status, 200);
      const viaCli = await cli(['--endpoint', guarded.endpoint, '--access-key', guardedRoot.accessKey, '--secret-key', guardedRoot.secretKey, 'info']);
      assert.equal(viaCli.code, 0, viaCli.stderr);
      assert.match(viaCli.stdout, /4 of 4 online/);
    });

    test('root rotate prints the new secret once; the old one stops working', async () => {
      const conn = (secret: string) => ['--endpoint', guarded.endpoint, '--access-key', guardedRoot.accessKey, '--secret-key', secret];
      const rotated = await cli([...conn(guardedRoot.secretKey), 'root', 'rotate']);
      assert.equal(rotated.code, 0, rotated.stderr);
      const fresh = /New root secret key \(shown only this once\): (\S+)/.exec(rotated.stdout)?.[1];
      assert.ok(fresh && fresh !== guardedRoot.secretKey, rotated.stdout);
      const [old, now] = await Promise.all([cli([...conn(guardedRoot.secretKey), 'user', 'list']), cli([...conn(fresh), 'user', 'list'])]);
      assert.equal(old.code, 1);
      assert.match(old.stderr, /^granary admin: SignatureDoesNotMatch: /);
      assert.equal(now.code, 0, now.stderr);
      // Root from the environment cannot be rotated from here: the server says where to change it.
      assert.match(await refused('InvalidRequest', ['root', 'rotate']), /GRANARY_ROOT_PASSWORD/);
    });
  });
});
