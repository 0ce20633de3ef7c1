import { GranaryError } from '../common/errors.js';
import type { SessionRecord } from '../iam/records.js';
import { sessionDuration } from './duration.js';
import { credentialsXml } from './session-issuer.js';
import { sessionPolicy } from './session-policy.js';
import { StsError } from './sts-error.js';
import type { StsAction } from './sts-action.js';

const SESSION_NAME = /^[\w+=,.@-]{2,64}$/;

/**
 * AssumeRole, signed by root, a user or a service account: temporary
 * credentials with the signer's own rights, narrowed by the optional session
 * policy. RoleArn is accepted and not used (as MinIO): a Granary session is
 * always its parent's role. Temporary credentials cannot assume again.
 */
export const assumeRole: StsAction = {
  unsigned: false,
  async run({ deps, form, identity }) {
    if (identity.type === 'anonymous') throw new GranaryError('AccessDenied', 'AssumeRole must be signed with AWS Signature Version 4.');
    if (identity.type === 'session') throw new GranaryError('AccessDenied', 'Temporary credentials cannot call AssumeRole; sign with a user or service account.');
    const roleSessionName = roleSessionNameOf(form);
    const durationSeconds = sessionDuration(form.get('DurationSeconds'), deps.limits);
    const policy = sessionPolicy(form.get('Policy'));
    const parent: { parentType: SessionRecord['parentType']; parent: string; parentAccessKey?: string } =
      identity.type === 'root' ? { parentType: 'root', parent: identity.accessKey }
        : identity.type === 'user' ? { parentType: 'user', parent: identity.username }
          : { parentType: 'serviceAccount', parent: identity.username, parentAccessKey: identity.accessKey };
    const creds = await deps.issuer.issue({ ...parent, ...(policy !== undefined ? { sessionPolicy: policy } : {}), issuer: 'AssumeRole', ...(roleSessionName ? { roleSessionName } : {}), durationSeconds });
    const sessionName = roleSessionName ?? creds.accessKeyId;
    return {
      Credentials: credentialsXml(creds),
      AssumedRoleUser: { Arn: `arn:aws:sts:::assumed-role/${parent.parent}/${sessionName}`, AssumedRoleId: `${creds.accessKeyId}:${sessionName}` },
    };
  },
};

function roleSessionNameOf(form: URLSearchParams): string | undefined {
  const name = form.get('RoleSessionName');
  if (name === null || name === '') return undefined;
  if (!SESSION_NAME.test(name)) throw new StsError('ValidationError', "1 validation error detected: Value at 'roleSessionName' failed to satisfy constraint: Member must be 2 to 64 characters of [\\w+=,.@-].");
  return name;
}
