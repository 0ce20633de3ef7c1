import { GranaryError } from '../common/errors.js';
import { LdapError, type LdapDirectory } from '../iam/ldap/ldap-directory.js';
import type { LdapPolicyMap } from '../iam/ldap/ldap-policy-map.js';
import { sessionDuration } from './duration.js';
import { credentialsXml, type IssuedCredentials } from './session-issuer.js';
import { sessionPolicy } from './session-policy.js';
import { StsError } from './sts-error.js';
import type { StsAction, StsDeps } from './sts-action.js';

/** The issuer name LDAP sessions carry: the sync finds them by it. */
export const LDAP_ISSUER = 'ldap';

/**
 * AssumeRoleWithLDAPIdentity (MinIO's): LDAPUsername and LDAPPassword,
 * unsigned, checked by binding to the directory as the user. The session's
 * parent is the user's DN, its groups their groups' DNs, and its policies
 * those attached to either DN (`granary admin ldap policy attach`); a user
 * with none is refused, as MinIO does. The login name is kept as the
 * session name, for the sync to look the user up again.
 */
export function assumeRoleWithLdapIdentity(ldap: LdapLogin): StsAction {
  return {
    unsigned: true,
    async run({ deps, form, sourceAddress }) {
      const username = form.get('LDAPUsername');
      const password = form.get('LDAPPassword');
      if (!username) throw new StsError('MissingParameter', 'The request must contain the parameter LDAPUsername.');
      if (!password) throw new StsError('MissingParameter', 'The request must contain the parameter LDAPPassword.');
      const durationSeconds = sessionDuration(form.get('DurationSeconds'), deps.limits);
      const policy = sessionPolicy(form.get('Policy'));
      const creds = await ldapSession(ldap, deps, { username, password, durationSeconds, sourceAddress, ...(policy !== undefined ? { sessionPolicy: policy } : {}) });
      return { Credentials: credentialsXml(creds) };
    },
  };
}

/** The directory and its DN → policy mappings: what an LDAP login needs. */
export interface LdapLogin {
  directory: LdapDirectory;
  policies: LdapPolicyMap;
}

export interface LdapSessionRequest {
  username: string;
  password: string;
  durationSeconds: number;
  sessionPolicy?: string;
  sourceAddress: string;
}

/**
 * Binds as the user and issues their session: shared by the STS action and
 * the console's directory login, so both answer the same user the same way.
 * Throws AccessDenied (GranaryError) for a failed bind or a user without
 * policies, IDPCommunicationError (StsError) when the directory is down.
 */
export async function ldapSession(ldap: LdapLogin, deps: Pick<StsDeps, 'issuer' | 'audit'>, req: LdapSessionRequest): Promise<IssuedCredentials> {
  const { username, password, sourceAddress } = req;
  const refuse = (reason: string) => deps.audit?.({ api: 'sts', refused: 'AssumeRoleWithLDAPIdentity', user: username.slice(0, 256), sourceAddress, reason });
  let user;
  try {
    user = await ldap.directory.authenticate(username, password);
  } catch (err) {
    if (!(err instanceof LdapError)) throw err;
    refuse(err.message);
    if (err.kind === 'unavailable') throw new StsError('IDPCommunicationError', 'The LDAP directory could not be reached; try again later.');
    // One answer for unknown users, wrong passwords and disabled accounts: no user enumeration.
    throw new GranaryError('AccessDenied', 'LDAP login failed: the user name or password is wrong.');
  }
  const policies = ldap.policies.policiesFor(user.dn, user.groups);
  if (policies.length === 0) {
    refuse(`no policy is attached to ${user.dn} or its groups`);
    throw new GranaryError('AccessDenied', `No policy is attached to the LDAP user ${user.dn} or any of their groups.`);
  }
  return deps.issuer.issue({
    parentType: 'federated',
    parent: user.dn,
    policies,
    groups: user.groups,
    ...(req.sessionPolicy !== undefined ? { sessionPolicy: req.sessionPolicy } : {}),
    issuer: LDAP_ISSUER,
    roleSessionName: username,
    durationSeconds: req.durationSeconds,
  });
}
