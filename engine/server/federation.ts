import type { IamService } from '../iam/iam-service.js';
import { LdapDirectory } from '../iam/ldap/ldap-directory.js';
import type { LdapConfig } from '../iam/ldap/ldap-config.js';
import { LdapPolicyMap } from '../iam/ldap/ldap-policy-map.js';
import { LdapSync } from '../iam/ldap/ldap-sync.js';
import { IdentityPlugin } from '../iam/plugins/identity-plugin.js';
import type { PluginEndpoint } from '../iam/plugins/json-post.js';
import type { StsAction } from '../sts/index.js';
import { assumeRoleWithCertificate } from '../sts/certificate-identity.js';
import { assumeRoleWithCustomToken, IDENTITY_PLUGIN_ROLE_ARN } from '../sts/custom-token.js';
import { assumeRoleWithLdapIdentity, LDAP_ISSUER, type LdapLogin } from '../sts/ldap-identity.js';

/** `--ldap-*` and `--identity-plugin-*`, parsed. */
export interface FederationConfig {
  ldap?: { directory: LdapConfig; syncIntervalMs: number };
  identityPlugin?: { endpoint: PluginEndpoint; rolePolicies: string[] };
}

export interface Federation {
  /** STS actions of the federated flows, replacing the core's NotImplemented placeholders. */
  stsActions(base: Map<string, StsAction>): Map<string, StsAction>;
  policyMap: LdapPolicyMap;
  /** The directory and its policy map when LDAP is configured: the console's directory login uses them too. */
  ldap?: LdapLogin;
  ldapSync?: LdapSync;
  close(): void;
}

/**
 * The external identities: LDAP (login, DN → policies, periodic sync), client
 * certificates (always offered; they need --certs-dir with CAs/), and the
 * identity plugin for custom tokens.
 */
export function startFederation(config: FederationConfig, iam: IamService, security: (event: string, details: Record<string, unknown>) => void, log: (line: string) => void): Federation {
  const policyMap = new LdapPolicyMap(iam);
  const directory = config.ldap ? new LdapDirectory(config.ldap.directory) : undefined;
  const ldapSync = directory ? new LdapSync(iam, directory, { issuer: LDAP_ISSUER, intervalMs: config.ldap!.syncIntervalMs, report: security, log }) : undefined;
  const plugin = config.identityPlugin ? new IdentityPlugin(config.identityPlugin.endpoint) : undefined;
  if (directory) {
    const every = config.ldap!.syncIntervalMs;
    log(`LDAP: ${config.ldap!.directory.url}${config.ldap!.directory.startTls ? ' (StartTLS)' : ''}; sync ${every > 0 ? `every ${Math.round(every / 1000)} s` : 'only when asked (POST /granary/admin/v1/ldap/sync)'}`);
    ldapSync!.start();
  }
  if (plugin) log(`Identity plugin: ${plugin.endpoint.url.href}; AssumeRoleWithCustomToken RoleArn ${IDENTITY_PLUGIN_ROLE_ARN}, policies ${config.identityPlugin!.rolePolicies.join(', ')}`);
  return {
    stsActions: (base) => {
      const actions = new Map(base);
      actions.set('AssumeRoleWithCertificate', assumeRoleWithCertificate);
      if (directory) actions.set('AssumeRoleWithLDAPIdentity', assumeRoleWithLdapIdentity({ directory, policies: policyMap }));
      if (plugin) actions.set('AssumeRoleWithCustomToken', assumeRoleWithCustomToken(plugin, config.identityPlugin!.rolePolicies));
      return actions;
    },
    policyMap,
    ...(directory ? { ldap: { directory, policies: policyMap } } : {}),
    ...(ldapSync ? { ldapSync } : {}),
    close: () => {
      ldapSync?.stop();
      plugin?.close();
    },
  };
}
