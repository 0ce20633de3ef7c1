import type { OidcProviderConfig } from '../sts/oidc-config.js';
import { AdminUsageError } from './admin-argv.js';
import { adminPath } from './admin-client.js';
import { done, show, type AdminCommand } from './admin-spec.js';
import { formatFields, formatTable, listCell, shortTime } from './admin-table.js';

/** A provider as the admin API shows it: the stored config without its secret, only whether one is set. */
type OidcProviderView = Omit<OidcProviderConfig, 'clientSecret'> & { clientSecretSet?: boolean };

/** A temporary credential as the admin API shows it (engine/admin/sts-routes.ts). */
interface SessionView {
  accessKey: string;
  parent: string;
  parentType: string;
  issuer: string;
  roleSessionName?: string;
  status: string;
  policies?: string[];
  expiration: string;
  created: string;
}

function providerFields(p: OidcProviderView): string {
  return formatFields([
    ['Provider', p.name],
    ['Discovery', p.configUrl],
    ['Client id', p.clientId],
    ['Policies', p.rolePolicies ? `role ${p.roleArn}: ${p.rolePolicies.join(', ')}` : `from the "${p.claimName}" claim`],
    ['Scopes', p.scopes ? listCell(p.scopes) : undefined],
    ['Redirect', p.redirectUri],
    ['Console label', p.label],
    ['Client secret', p.clientSecretSet ? 'set' : undefined],
    ['Created', new Date(p.created).toISOString()],
  ]);
}

export const STS_COMMANDS: AdminCommand[] = [
  {
    noun: 'idp oidc', verb: 'add', synopsis: 'NAME --config-url URL --client-id ID [--claim-name C] [--role-policy P]... [--scope S]... [--redirect-uri U] [--client-secret S] [--label L]', arity: [1, 1],
    flags: { 'config-url': 'value', 'client-id': 'value', 'claim-name': 'value', 'role-policy': 'list', scope: 'list', 'redirect-uri': 'value', 'client-secret': 'value', label: 'value' },
    summary: 'add (or replace) an OpenID Connect provider; with --role-policy it is role-based (RoleArn arn:granary:iam:::role/NAME), else its tokens name policies in a claim (default "policy")',
    async run(ctx, [name], flags) {
      const rolePolicies = flags.list('role-policy');
      const scopes = flags.list('scope');
      const body = {
        ...(flags.value('config-url') !== undefined ? { configUrl: flags.value('config-url') } : {}),
        ...(flags.value('client-id') !== undefined ? { clientId: flags.value('client-id') } : {}),
        ...(flags.value('claim-name') !== undefined ? { claimName: flags.value('claim-name') } : {}),
        ...(rolePolicies.length ? { rolePolicies } : {}),
        ...(scopes.length ? { scopes } : {}),
        ...(flags.value('redirect-uri') !== undefined ? { redirectUri: flags.value('redirect-uri') } : {}),
        ...(flags.value('client-secret') !== undefined ? { clientSecret: flags.value('client-secret') } : {}),
        ...(flags.value('label') !== undefined ? { label: flags.value('label') } : {}),
      };
      const p = await ctx.client.call<OidcProviderView>('PUT', adminPath('idp', 'oidc', name), { body });
      show(ctx, p, (v) => `Added OpenID Connect provider ${v.name}${v.roleArn ? ` (RoleArn ${v.roleArn})` : ''}.`);
    },
  },
  {
    noun: 'idp oidc', verb: 'list', synopsis: '', arity: [0, 0], summary: 'list OpenID Connect providers',
    async run(ctx) {
      const list = (await ctx.client.call<OidcProviderView[]>('GET', adminPath('idp', 'oidc'))) ?? [];
      show(ctx, list, (l) => l.length === 0 ? 'No OpenID Connect providers.' : formatTable(
        ['NAME', 'CLIENT ID', 'POLICIES', 'DISCOVERY'],
        l.map((p) => [p.name, p.clientId, p.rolePolicies ? `role: ${listCell(p.rolePolicies)}` : `claim ${p.claimName}`, p.configUrl]),
      ));
    },
  },
  {
    noun: 'idp oidc', verb: 'info', synopsis: 'NAME', arity: [1, 1], summary: 'show an OpenID Connect provider',
    async run(ctx, [name]) {
      show(ctx, await ctx.client.call<OidcProviderView>('GET', adminPath('idp', 'oidc', name)), providerFields);
    },
  },
  {
    noun: 'idp oidc', verb: 'remove', synopsis: 'NAME', arity: [1, 1], summary: 'remove an OpenID Connect provider and revoke the temporary credentials it vouched for',
    async run(ctx, [name]) {
      await ctx.client.call('DELETE', adminPath('idp', 'oidc', name));
      done(ctx, `Removed OpenID Connect provider ${name}.`);
    },
  },
  {
    noun: 'sts', verb: 'list', synopsis: '[--user NAME]', arity: [0, 0], flags: { user: 'value' },
    summary: 'list temporary credentials (STS sessions), all or those of one user or federated subject',
    async run(ctx, _args, flags) {
      const user = flags.value('user');
      const list = (await ctx.client.call<SessionView[]>('GET', 'temporary-accounts', { query: { user } })) ?? [];
      show(ctx, list, (l) => l.length === 0 ? 'No temporary credentials.' : formatTable(
        ['ACCESS KEY', 'PARENT', 'ISSUER', 'STATUS', 'EXPIRES', 'CREATED'],
        l.map((s) => [s.accessKey, s.parent, s.issuer, s.status, shortTime(s.expiration), shortTime(s.created)]),
      ));
    },
  },
  {
    noun: 'sts', verb: 'revoke', synopsis: '[ACCESS-KEY] [--user NAME]', arity: [0, 1], flags: { user: 'value' },
    summary: 'revoke one temporary credential, or with --user all of a user\'s, at once',
    async run(ctx, [key], flags) {
      const user = flags.value('user');
      if ((key === undefined) === (user === undefined)) throw new AdminUsageError('sts revoke needs an ACCESS-KEY or --user NAME (one of them)', 'sts');
      const r = key !== undefined
        ? await ctx.client.call<{ revoked: number }>('POST', adminPath('temporary-accounts', key, 'revoke'))
        : await ctx.client.call<{ revoked: number }>('POST', 'temporary-accounts/revoke', { body: { user } });
      show(ctx, r, (v) => `Revoked ${v.revoked} temporary credential${v.revoked === 1 ? '' : 's'}.`);
    },
  },
];
