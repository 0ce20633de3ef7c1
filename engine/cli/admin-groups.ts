import { adminPath } from './admin-client.js';
import { done, show, type AdminCommand } from './admin-spec.js';
import { formatFields, formatTable, listCell, shortTime } from './admin-table.js';
import type { GroupView } from './admin-types.js';
import { UsageError } from './args.js';

function groupFields(g: GroupView): string {
  return formatFields([
    ['Group', g.name],
    ['Status', g.status],
    ['Members', listCell(g.members)],
    ['Policies', listCell(g.policies)],
    ['Created', g.created],
  ]);
}

export const GROUP_COMMANDS: AdminCommand[] = [
  {
    noun: 'group', verb: 'add', synopsis: 'NAME [USER...]', arity: [1, Infinity], summary: 'create a group, optionally with members',
    async run(ctx, [name, ...members]) {
      const group = await ctx.client.call<GroupView>('PUT', adminPath('groups', name), { body: members.length ? { members } : {} });
      show(ctx, group, (g) => `Created group ${g.name}${g.members.length ? ` with ${g.members.join(', ')}` : ''}.`);
    },
  },
  {
    noun: 'group', verb: 'list', synopsis: '', arity: [0, 0], summary: 'list groups',
    async run(ctx) {
      const groups = (await ctx.client.call<GroupView[]>('GET', 'groups')) ?? [];
      show(ctx, groups, (list) => list.length === 0 ? 'No groups.' : formatTable(
        ['NAME', 'STATUS', 'MEMBERS', 'POLICIES', 'CREATED'],
        list.map((g) => [g.name, g.status, listCell(g.members), listCell(g.policies), shortTime(g.created)]),
      ));
    },
  },
  {
    noun: 'group', verb: 'info', synopsis: 'NAME', arity: [1, 1], summary: 'show a group',
    async run(ctx, [name]) {
      show(ctx, await ctx.client.call<GroupView>('GET', adminPath('groups', name)), groupFields);
    },
  },
  {
    noun: 'group', verb: 'members', synopsis: 'NAME [--add USER]... [--remove USER]...', arity: [1, 1], flags: { add: 'list', remove: 'list' },
    summary: 'change a group\'s members (repeat --add / --remove per user); with neither, list them',
    async run(ctx, [name], flags) {
      const add = flags.list('add');
      const remove = flags.list('remove');
      const both = add.filter((u) => remove.includes(u));
      if (both.length) throw new UsageError(`${both.join(', ')} both added and removed`);
      const group = add.length || remove.length
        ? await ctx.client.call<GroupView>('POST', adminPath('groups', name, 'members'), { body: { ...(add.length ? { add } : {}), ...(remove.length ? { remove } : {}) } })
        : await ctx.client.call<GroupView>('GET', adminPath('groups', name));
      show(ctx, group, (g) => g.members.length === 0 ? `Group ${g.name} has no members.` : `Members of ${g.name}: ${g.members.join(', ')}`);
    },
  },
  {
    noun: 'group', verb: 'enable', synopsis: 'NAME', arity: [1, 1], summary: 'let the group\'s policies apply again',
    async run(ctx, [name]) {
      await ctx.client.call('POST', adminPath('groups', name, 'enable'));
      done(ctx, `Enabled group ${name}.`);
    },
  },
  {
    noun: 'group', verb: 'disable', synopsis: 'NAME', arity: [1, 1], summary: 'stop the group\'s policies applying to its members',
    async run(ctx, [name]) {
      await ctx.client.call('POST', adminPath('groups', name, 'disable'));
      done(ctx, `Disabled group ${name}.`);
    },
  },
  {
    noun: 'group', verb: 'remove', synopsis: 'NAME', arity: [1, 1], summary: 'delete a group (it must have no members)',
    async run(ctx, [name]) {
      await ctx.client.call('DELETE', adminPath('groups', name));
      done(ctx, `Removed group ${name}.`);
    },
  },
];
