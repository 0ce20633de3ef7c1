import { adminPath } from './admin-client.js';
import { parseExpiry } from './admin-expiry.js';
import { readTextArg } from './admin-input.js';
import { done, show, type AdminCommand } from './admin-spec.js';
import { formatFields, formatTable, shortTime } from './admin-table.js';
import type { ServiceAccountView } from './admin-types.js';

function keyFields(s: ServiceAccountView): string {
  const fields = formatFields([
    ['Access key', s.accessKey],
    ['Secret key', s.secretKey === undefined ? undefined : `${s.secretKey}  (shown only this once)`],
    ['Parent', s.parent],
    ['Status', s.status],
    ['Name', s.name],
    ['Description', s.description],
    ['Expires', s.expiry ?? 'never'],
    ['Policy', s.policy === undefined ? 'the parent\'s' : 'inline, below (it narrows the parent\'s)'],
    ['Created', s.created],
  ]);
  return s.policy === undefined ? fields : `${fields}\n${JSON.stringify(s.policy, null, 2)}`;
}

export const SVCACCT_COMMANDS: AdminCommand[] = [
  {
    noun: 'svcacct', verb: 'add',
    synopsis: '[--user USER] [--policy FILE|-] [--expiry DATE|30d] [--name N] [--description D] [--access-key K] [--secret-key S]',
    arity: [0, 0],
    flags: { user: 'value', policy: 'value', expiry: 'value', name: 'value', description: 'value', 'access-key': 'value', 'secret-key': 'value' },
    summary: 'create an access key for a user (default: yourself) and print its secret once; here --access-key/--secret-key name the new key',
    async run(ctx, _args, flags) {
      const user = flags.value('user');
      const policyFile = flags.value('policy');
      const expiry = flags.value('expiry');
      const body = {
        ...(user !== undefined ? { parent: user } : {}),
        ...(policyFile !== undefined ? { policy: await readTextArg(ctx, policyFile) } : {}),
        ...(expiry !== undefined ? { expiry: parseExpiry(expiry) } : {}),
        ...(flags.value('name') !== undefined ? { name: flags.value('name') } : {}),
        ...(flags.value('description') !== undefined ? { description: flags.value('description') } : {}),
        ...(flags.value('access-key') !== undefined ? { accessKey: flags.value('access-key') } : {}),
        ...(flags.value('secret-key') !== undefined ? { secretKey: flags.value('secret-key') } : {}),
      };
      show(ctx, await ctx.client.call<ServiceAccountView>('PUT', 'service-accounts', { body }), keyFields);
    },
  },
  {
    noun: 'svcacct', verb: 'list', synopsis: '[--user USER]', arity: [0, 0], flags: { user: 'value' }, summary: 'list access keys, all or one user\'s',
    async run(ctx, _args, flags) {
      const keys = (await ctx.client.call<ServiceAccountView[]>('GET', 'service-accounts', { query: { user: flags.value('user') } })) ?? [];
      show(ctx, keys, (list) => list.length === 0 ? 'No service accounts.' : formatTable(
        ['ACCESS KEY', 'PARENT', 'STATUS', 'EXPIRES', 'POLICY', 'NAME'],
        list.map((s) => [s.accessKey, s.parent, s.status, s.expiry ? shortTime(s.expiry) : 'never', s.policy === undefined ? 'parent' : 'inline', s.name ?? '-']),
      ));
    },
  },
  {
    noun: 'svcacct', verb: 'info', synopsis: 'KEY', arity: [1, 1], summary: 'show an access key (never its secret)',
    async run(ctx, [key]) {
      show(ctx, await ctx.client.call<ServiceAccountView>('GET', adminPath('service-accounts', key)), keyFields);
    },
  },
  {
    noun: 'svcacct', verb: 'enable', synopsis: 'KEY', arity: [1, 1], summary: 'let an access key sign requests again',
    async run(ctx, [key]) {
      show(ctx, await ctx.client.call<ServiceAccountView>('POST', adminPath('service-accounts', key), { body: { status: 'enabled' } }), () => `Enabled access key ${key}.`);
    },
  },
  {
    noun: 'svcacct', verb: 'disable', synopsis: 'KEY', arity: [1, 1], summary: 'refuse an access key until enabled',
    async run(ctx, [key]) {
      show(ctx, await ctx.client.call<ServiceAccountView>('POST', adminPath('service-accounts', key), { body: { status: 'disabled' } }), () => `Disabled access key ${key}.`);
    },
  },
  {
    noun: 'svcacct', verb: 'remove', synopsis: 'KEY', arity: [1, 1], summary: 'delete an access key',
    async run(ctx, [key]) {
      await ctx.client.call('DELETE', adminPath('service-accounts', key));
      done(ctx, `Removed access key ${key}.`);
    },
  },
];
