import { GranaryError } from '../common/errors.js';
import { principalArn } from '../iam/identity.js';
import type { StsAction } from './sts-action.js';

/** GetCallerIdentity: who signed, as the SDKs and `aws sts get-caller-identity` ask to check a configuration. */
export const getCallerIdentity: StsAction = {
  unsigned: false,
  async run({ identity }) {
    if (identity.type === 'anonymous') throw new GranaryError('AccessDenied', 'GetCallerIdentity must be signed.');
    const arn = identity.type === 'session' && identity.parentType !== 'federated'
      ? `arn:aws:sts:::assumed-role/${identity.username}/${identity.accessKey}`
      : principalArn(identity)!;
    return { Arn: arn, UserId: identity.type === 'session' ? `${identity.accessKey}:${identity.username}` : identity.accessKey, Account: '000000000000' };
  },
};
