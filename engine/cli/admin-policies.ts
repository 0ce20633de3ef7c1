import { adminPath } from './admin-client.js';
import { readTextArg } from './admin-input.js';
import { done, show, type AdminCommand, type CommandFlags } from './admin-spec.js';
import { formatTable, shortTime } from './admin-table.js';
import type { PolicySummary, PolicyView } from './admin-types.js';
import { UsageError } from './args.js';

/** `--user U` or `--group G`, exactly one: the API attaches to one identity per call. */
function attachTarget(flags: CommandFlags, verb: string): { user: string } | { group: string } {
  const user = flags.value('user');
  const group = flags.value('group');
  if ((user === undefined) === (group === undefined)) throw new UsageError(`policy ${verb} needs exactly one of --user USER or --group GROUP`);
  return user !== undefined ? { user } : { group: group! };
}

function describe(target: { user: string } | { group: string }): string {
  return 'user' in target ? `user ${target.user}` : `group ${target.group}`;
}

export const POLICY_COMMANDS: AdminCommand[] = [
  {
    noun: 'policy', verb: 'create', synopsis: 'NAME FILE|-', arity: [2, 2], summary: 'create a policy from a JSON file (- reads standard input)',
    async run(ctx, [name, file]) {
      // Sent byte for byte: the server's parser checks it and names what is wrong.
      await ctx.client.call('PUT', adminPath('policies', name), { body: await readTextArg(ctx, file) });
      done(ctx, `Created policy ${name}.`);
    },
  },
  {
    noun: 'policy', verb: 'list', synopsis: '', arity: [0, 0], summary: 'list policies, built-in ones included',
    async run(ctx) {
      const policies = (await ctx.client.call<PolicySummary[]>('GET', 'policies')) ?? [];
      show(ctx, policies, (list) => formatTable(['NAME', 'TYPE', 'CREATED'], list.map((p) => [p.name, p.builtin ? 'built-in' : 'custom', shortTime(p.created)])));
    },
  },
  {
    noun: 'policy', verb: 'info', synopsis: 'NAME', arity: [1, 1], summary: 'print a policy document',
    async run(ctx, [name]) {
      const policy = await ctx.client.call<PolicyView>('GET', adminPath('policies', name));
      show(ctx, policy, (p) => `Policy ${p.name} (${p.builtin ? 'built-in' : 'custom'}):\n${JSON.stringify(p.policy, null, 2)}`);
    },
  },
  {
    noun: 'policy', verb: 'attach', synopsis: 'NAME --user USER | --group GROUP', arity: [1, 1], flags: { user: 'value', group: 'value' },
    summary: 'attach a policy to a user or a group',
    async run(ctx, [name], flags) {
      const target = attachTarget(flags, 'attach');
      await ctx.client.call('POST', adminPath('policies', name, 'attach'), { body: target });
      done(ctx, `Attached policy ${name} to ${describe(target)}.`);
    },
  },
  {
    noun: 'policy', verb: 'detach', synopsis: 'NAME --user USER | --group GROUP', arity: [1, 1], flags: { user: 'value', group: 'value' },
    summary: 'detach a policy from a user or a group',
    async run(ctx, [name], flags) {
      const target = attachTarget(flags, 'detach');
      await ctx.client.call('POST', adminPath('policies', name, 'detach'), { body: target });
      done(ctx, `Detached policy ${name} from ${describe(target)}.`);
    },
  },
  {
    noun: 'policy', verb: 'remove', synopsis: 'NAME', arity: [1, 1], summary: 'delete a policy (detach it everywhere first)',
    async run(ctx, [name]) {
      await ctx.client.call('DELETE', adminPath('policies', name));
      done(ctx, `Removed policy ${name}.`);
    },
  },
];
