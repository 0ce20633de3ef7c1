import { done, show, type AdminCommand } from './admin-spec.js';
import { formatFields, formatTable } from './admin-table.js';
import { UsageError } from './args.js';

interface LdapMapping { dn: string; policies: string[] }
interface LdapSyncReport { users: number; revokedSessions: number; removedServiceAccounts: number; durationMs: number }

function dnOf(value: string | undefined, verb: string): string {
  if (value === undefined) throw new UsageError(`ldap ${verb} needs --dn DN (a user's or a group's distinguished name)`);
  return value;
}

/** `granary admin ldap …`: policies attached to LDAP users and groups by DN (MinIO's `idp ldap policy`), and the directory sync. */
export const LDAP_COMMANDS: AdminCommand[] = [
  {
    noun: 'ldap', verb: 'policies', synopsis: '', arity: [0, 0], summary: 'list the policies attached to LDAP users and groups, by DN',
    async run(ctx) {
      const list = (await ctx.client.call<LdapMapping[]>('GET', 'ldap/policies')) ?? [];
      show(ctx, list, (l) => formatTable(['DN', 'POLICIES'], l.map((m) => [m.dn, m.policies.join(', ')])));
    },
  },
  {
    noun: 'ldap', verb: 'attach', synopsis: 'POLICY... --dn DN', arity: [1, 32], flags: { dn: 'value' },
    summary: 'attach policies to an LDAP user or group by its DN',
    async run(ctx, policies, flags) {
      const dn = dnOf(flags.value('dn'), 'attach');
      const m = await ctx.client.call<LdapMapping>('POST', 'ldap/policies/attach', { body: { dn, policies } });
      done(ctx, `${m?.dn ?? dn} now has ${m?.policies.join(', ') ?? policies.join(', ')}.`);
    },
  },
  {
    noun: 'ldap', verb: 'detach', synopsis: 'POLICY... --dn DN', arity: [1, 32], flags: { dn: 'value' },
    summary: 'detach policies from an LDAP user or group',
    async run(ctx, policies, flags) {
      const dn = dnOf(flags.value('dn'), 'detach');
      const m = await ctx.client.call<LdapMapping>('POST', 'ldap/policies/detach', { body: { dn, policies } });
      done(ctx, `${m?.dn ?? dn} now has ${m?.policies.length ? m.policies.join(', ') : 'no policy'}.`);
    },
  },
  {
    noun: 'ldap', verb: 'sync', synopsis: '', arity: [0, 0], summary: 'look every LDAP session\'s user up now and revoke what the directory no longer allows',
    async run(ctx) {
      const r = await ctx.client.call<LdapSyncReport>('POST', 'ldap/sync');
      show(ctx, r, (x) => formatFields([['Users checked', String(x.users)], ['Sessions revoked', String(x.revokedSessions)], ['Service accounts removed', String(x.removedServiceAccounts)], ['Took', `${x.durationMs} ms`]]));
    },
  },
];
