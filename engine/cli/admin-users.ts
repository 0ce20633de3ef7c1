import { adminPath } from './admin-client.js';
import { generateSecret, readSecretArg } from './admin-input.js';
import { done, show, type AdminCommand } from './admin-spec.js';
import { formatFields, formatTable, listCell, shortTime } from './admin-table.js';
import type { UserView } from './admin-types.js';

function userFields(u: UserView): string {
  return formatFields([
    ['User', u.name],
    ['Status', u.status],
    ['Policies', listCell(u.policies)],
    ['Inline policies', u.inlinePolicies.length ? u.inlinePolicies.join(', ') : undefined],
    ['Groups', listCell(u.groups)],
    ['Secret key', u.hasSecret ? 'set' : 'none (service accounts only)'],
    ['MFA', u.mfa ? 'enrolled' : 'no'],
    ['Created', u.created],
  ]);
}

export const USER_COMMANDS: AdminCommand[] = [
  {
    noun: 'user', verb: 'add', synopsis: 'NAME [SECRET|-] [--policy P]...', arity: [1, 2], flags: { policy: 'list' },
    summary: 'create a user; without SECRET a strong one is generated and printed once',
    async run(ctx, [name, given], flags) {
      const secret = given === undefined ? generateSecret() : await readSecretArg(ctx, given);
      const policies = flags.list('policy');
      const user = await ctx.client.call<UserView>('PUT', adminPath('users', name), { body: { secretKey: secret, ...(policies.length ? { policies } : {}) } });
      // A generated secret exists nowhere else: it goes out with the answer, in either format.
      const shown = given === undefined ? secret : undefined;
      show(ctx, user && { ...user, ...(shown ? { secretKey: shown } : {}) }, () => [
        `Created user ${name}${policies.length ? ` with ${policies.join(', ')}` : ''}.`,
        ...(shown ? [`Secret key (shown only this once): ${shown}`] : []),
      ].join('\n'));
    },
  },
  {
    noun: 'user', verb: 'list', synopsis: '', arity: [0, 0], summary: 'list users',
    async run(ctx) {
      const users = (await ctx.client.call<UserView[]>('GET', 'users')) ?? [];
      show(ctx, users, (list) => list.length === 0 ? 'No users.' : formatTable(
        ['NAME', 'STATUS', 'POLICIES', 'GROUPS', 'MFA', 'CREATED'],
        list.map((u) => [u.name, u.status, listCell([...u.policies, ...u.inlinePolicies.map((p) => `${p}(inline)`)]), listCell(u.groups), u.mfa ? 'yes' : 'no', shortTime(u.created)]),
      ));
    },
  },
  {
    noun: 'user', verb: 'info', synopsis: 'NAME', arity: [1, 1], summary: 'show a user',
    async run(ctx, [name]) {
      show(ctx, await ctx.client.call<UserView>('GET', adminPath('users', name)), userFields);
    },
  },
  {
    noun: 'user', verb: 'enable', synopsis: 'NAME', arity: [1, 1], summary: 'let a user and their service accounts sign in again',
    async run(ctx, [name]) {
      await ctx.client.call('POST', adminPath('users', name, 'enable'));
      done(ctx, `Enabled user ${name}.`);
    },
  },
  {
    noun: 'user', verb: 'disable', synopsis: 'NAME', arity: [1, 1], summary: 'refuse a user and their service accounts until enabled',
    async run(ctx, [name]) {
      await ctx.client.call('POST', adminPath('users', name, 'disable'));
      done(ctx, `Disabled user ${name}.`);
    },
  },
  {
    noun: 'user', verb: 'remove', synopsis: 'NAME', arity: [1, 1], summary: 'delete a user with their service accounts and group memberships',
    async run(ctx, [name]) {
      await ctx.client.call('DELETE', adminPath('users', name));
      done(ctx, `Removed user ${name}, their service accounts and group memberships.`);
    },
  },
  {
    noun: 'user', verb: 'secret', synopsis: 'NAME SECRET|-', arity: [2, 2], summary: 'set a user\'s secret key (- reads it from standard input)',
    async run(ctx, [name, given]) {
      await ctx.client.call('PUT', adminPath('users', name, 'secret'), { body: { secretKey: await readSecretArg(ctx, given) } });
      done(ctx, `Changed the secret key of user ${name}.`);
    },
  },
];
