import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parseAdminArgs } from '../../engine/cli/admin-argv.js';
import { ADMIN_COMMANDS, adminUsage, resolveConnection, runAdmin } from '../../engine/cli/admin-command.js';
import { parseExpiry } from '../../engine/cli/admin-expiry.js';
import { generateSecret } from '../../engine/cli/admin-input.js';
import { formatBytes, formatFields, formatTable } from '../../engine/cli/admin-table.js';
import { passwordProblem } from '../../engine/iam/weak-passwords.js';

/** The parts of `granary admin` that need no server: arguments, expiry, secrets, layout. */
const parse = (...argv: string[]) => parseAdminArgs(argv, ADMIN_COMMANDS);

describe('granary admin arguments', () => {
  test('connection flags go anywhere; a command\'s own flag of the same name wins after it', () => {
    const p = parse('--access-key', 'admin', 'svcacct', 'add', '--access-key', 'new-key', '--secret-key', 'New-secret-123', '--json');
    assert.equal(p.command?.verb, 'add');
    assert.equal(p.connection.value('access-key'), 'admin');
    assert.equal(p.connection.value('secret-key'), undefined);
    assert.equal(p.flags.value('access-key'), 'new-key');
    assert.equal(p.flags.value('secret-key'), 'New-secret-123');
    assert.equal(p.connection.bool('json'), true);
    const q = parse('user', 'list', '--endpoint=http://h:1', '--access-key', 'k');
    assert.equal(q.connection.value('endpoint'), 'http://h:1');
    assert.equal(q.connection.value('access-key'), 'k');
  });

  test('repeatable flags collect, single ones refuse a second value', () => {
    const p = parse('user', 'add', 'dana', '--policy', 'readonly', '--policy=diagnostics');
    assert.deepEqual(p.positionals, ['dana']);
    assert.deepEqual(p.flags.list('policy'), ['readonly', 'diagnostics']);
    assert.deepEqual(parse('group', 'members', 'g', '--add', 'a', '--add', 'b', '--remove', 'c').flags.list('add'), ['a', 'b']);
    assert.throws(() => parse('--region', 'a', '--region', 'b', 'info'), /--region given twice/);
    assert.equal(parse('--json', 'info', '--json').connection.bool('json'), true);
  });

  test('usage errors name the problem', () => {
    assert.throws(() => parse('user', 'add'), /user add needs NAME/);
    assert.throws(() => parse('policy', 'create', 'p'), /policy create needs NAME FILE\|-/);
    assert.throws(() => parse('user', 'list', 'extra'), /user list takes no arguments/);
    assert.throws(() => parse('user', 'list', '--policy', 'x'), /user list has no flag --policy/);
    assert.throws(() => parse('user'), /user needs one of: add, list, info/);
    assert.throws(() => parse('frob'), /unknown command "frob"/);
    assert.throws(() => parse('--json'), /no command given/);
    assert.throws(() => parse('info', '--json=yes'), /--json takes no value/);
    assert.throws(() => parse('user', 'info', '--endpoint'), /--endpoint needs a value/);
    assert.equal(parse('user', '--help').help, true);
    assert.equal(parse('--help', 'frob', '--bogus').help, true, 'help is never refused');
  });

  test('connection: flags, then environment, then defaults', () => {
    const env = { GRANARY_ENDPOINT: 'http://10.0.0.5:9000', GRANARY_ROOT_USER: 'env-user', GRANARY_ROOT_PASSWORD: 'env-secret' };
    const fromEnv = resolveConnection(parse('info').connection, env);
    assert.equal(fromEnv.endpoint.href, 'http://10.0.0.5:9000/');
    assert.equal(fromEnv.accessKey, 'env-user');
    assert.equal(fromEnv.region, 'us-east-1');
    const flags = resolveConnection(parse('--secret-key', 'flag-secret', '--region', 'eu-1', 'info').connection, env);
    assert.equal(flags.secretKey, 'flag-secret');
    assert.equal(flags.accessKey, 'env-user');
    assert.equal(flags.region, 'eu-1');
    assert.equal(resolveConnection(parse('info').connection, { GRANARY_ROOT_USER: 'u', GRANARY_ROOT_PASSWORD: 'p' }).endpoint.origin, 'http://127.0.0.1:9000');
    assert.throws(() => resolveConnection(parse('info').connection, {}), /no credentials/);
    assert.throws(() => resolveConnection(parse('--endpoint', 'ftp://x', 'info').connection, env), /http:\/\/ or https:\/\//);
    assert.throws(() => resolveConnection(parse('--endpoint', '127.0.0.1:9000', 'info').connection, env), /http:\/\/ or https:\/\/|not a URL/);
  });

  test('runAdmin: exit 2 with the group\'s usage for usage errors, 0 with usage for --help', async () => {
    const io = () => {
      const out = { stdout: '', stderr: '' };
      return { out, io: { env: {}, stdout: (t: string) => { out.stdout += t; }, stderr: (t: string) => { out.stderr += t; }, readStdin: async () => '' } };
    };
    const a = io();
    assert.equal(await runAdmin(['group', 'frob'], a.io), 2);
    assert.match(a.out.stderr, /^granary admin: unknown command "group frob"\n\nusage: granary admin/);
    assert.match(a.out.stderr, /group members NAME/);
    assert.doesNotMatch(a.out.stderr, /user add/);
    const b = io();
    assert.equal(await runAdmin(['--help'], b.io), 0);
    assert.equal(b.out.stdout, `${adminUsage()}\n`);
    for (const c of ADMIN_COMMANDS) assert.ok(b.out.stdout.includes(`${c.noun}${c.verb ? ` ${c.verb}` : ''}`));
  });
});

describe('granary admin helpers', () => {
  test('--expiry takes ISO 8601 dates and durations', () => {
    const now = Date.parse('2030-01-01T00:00:00Z');
    assert.equal(parseExpiry('30d', now), '2030-01-31T00:00:00.000Z');
    assert.equal(parseExpiry('1w2d12h', now), '2030-01-10T12:00:00.000Z');
    assert.equal(parseExpiry('90m', now), '2030-01-01T01:30:00.000Z');
    assert.equal(parseExpiry('2031-06-30T12:00:00Z', now), '2031-06-30T12:00:00.000Z');
    assert.equal(parseExpiry('2031-06-30', now), '2031-06-30T00:00:00.000Z');
    assert.equal(parseExpiry('2031-06-30T12:00:00+02:00', now), '2031-06-30T10:00:00.000Z');
    for (const bad of ['0d', 'soon', '30', '30 days', '2031-13-45', 'd30']) assert.throws(() => parseExpiry(bad, now), /--expiry/, bad);
  });

  test('generated secrets are long and pass the password rules', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 200; i++) {
      const s = generateSecret();
      assert.match(s, /^[A-Za-z0-9][A-Za-z0-9_-]{38}[A-Za-z0-9]$/);
      assert.equal(passwordProblem(s, 'someone'), null);
      seen.add(s);
    }
    assert.equal(seen.size, 200);
  });

  test('tables and fields align; sizes read as people expect', () => {
    assert.equal(formatTable(['NAME', 'STATUS', 'POLICIES'], [['alice', 'enabled', 'readonly'], ['bo', 'disabled', '-']]), [
      'NAME   STATUS    POLICIES',
      'alice  enabled   readonly',
      'bo     disabled  -',
    ].join('\n'));
    assert.equal(formatFields([['User', 'bob'], ['Skipped', undefined], ['Created', 'today']]), 'User:     bob\nCreated:  today');
    assert.equal(formatBytes(0), '0 B');
    assert.equal(formatBytes(1536), '1.5 KiB');
    assert.equal(formatBytes(250 * 1024 ** 3), '250 GiB');
    assert.equal(formatBytes(undefined), '?');
  });
});
