import { GranaryError } from '../common/errors.js';
import { IdentityPluginError, type IdentityPlugin } from '../iam/plugins/identity-plugin.js';
import { sessionDuration } from './duration.js';
import { credentialsXml } from './session-issuer.js';
import { StsError } from './sts-error.js';
import type { StsAction } from './sts-action.js';

export const IDENTITY_PLUGIN_ISSUER = 'identity-plugin';
/** The one role the identity plugin's sessions assume (MinIO names it per deployment; Granary has one plugin). */
export const IDENTITY_PLUGIN_ROLE_ARN = 'arn:granary:iam:::role/identity-plugin';

/**
 * AssumeRoleWithCustomToken (MinIO's): an opaque Token and the plugin's
 * RoleArn, unsigned. The identity plugin says who the token stands for and
 * for how long at most; the session gets the role's policies
 * (`--identity-plugin-role-policy`). Any plugin failure refuses.
 */
export function assumeRoleWithCustomToken(plugin: IdentityPlugin, rolePolicies: string[]): StsAction {
  return {
    unsigned: true,
    async run({ deps, form, sourceAddress }) {
      const token = form.get('Token');
      const roleArn = form.get('RoleArn');
      if (!token) throw new StsError('MissingParameter', 'The request must contain the parameter Token.');
      if (!roleArn) throw new StsError('MissingParameter', 'The request must contain the parameter RoleArn.');
      if (roleArn !== IDENTITY_PLUGIN_ROLE_ARN) throw new StsError('InvalidParameterValue', `RoleArn ${roleArn.slice(0, 128)} is not this server's identity plugin role (${IDENTITY_PLUGIN_ROLE_ARN}).`);
      let durationSeconds = sessionDuration(form.get('DurationSeconds'), deps.limits);
      let who;
      try {
        who = await plugin.verify(token);
      } catch (err) {
        if (!(err instanceof IdentityPluginError)) throw err;
        deps.audit?.({ api: 'sts', refused: 'AssumeRoleWithCustomToken', sourceAddress, reason: err.message });
        if (err.kind === 'unavailable') throw new StsError('IDPCommunicationError', 'The identity plugin gave no usable answer; try again later.');
        throw new GranaryError('AccessDenied', err.message);
      }
      durationSeconds = Math.min(durationSeconds, who.maxValiditySeconds);
      const creds = await deps.issuer.issue({ parentType: 'federated', parent: who.user, policies: rolePolicies, issuer: IDENTITY_PLUGIN_ISSUER, durationSeconds });
      return { Credentials: credentialsXml(creds), AssumedUser: who.user };
    },
  };
}
