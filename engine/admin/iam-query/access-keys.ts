import { GranaryError } from '../../common/errors.js';
import type { ServiceAccountRecord } from '../../iam/records.js';
import { isoDate } from './arns.js';
import { targetsSelf } from './caller.js';
import type { IamCall, Operation } from './operation.js';
import { paginate } from './pagination.js';
import { accessKeyStatus, iamStatus, optional, required } from './params.js';
import { accessKeyMetadata } from './shapes.js';
import { members } from './wire.js';

/**
 * Access keys are Granary service accounts without an inline policy: a key
 * has exactly its user's rights. Without UserName, AWS means the caller's own
 * keys; for root that is root's keys (parent = root's access key).
 */
export const accessKeyOperations: Record<string, Operation> = {
  CreateAccessKey: {
    adminAction: 'admin:CreateServiceAccount',
    selfService,
    async run(call) {
      const owner = ownerOf(call);
      // A narrowed key making a key for its own user passes its narrowing on: a key never mints a broader one.
      const policy = owner === call.caller.name ? call.caller.narrowedBy : undefined;
      const sa = await call.iam.createServiceAccount(owner, policy !== undefined ? { policy } : {});
      return {
        AccessKey: { UserName: sa.parent, AccessKeyId: sa.accessKey, Status: iamStatus(sa.status), SecretAccessKey: sa.secretKey, CreateDate: isoDate(sa.created) },
      };
    },
  },

  ListAccessKeys: {
    adminAction: 'admin:ListServiceAccounts',
    selfService,
    async run(call) {
      const keys = call.iam.listServiceAccounts(ownerOf(call));
      const page = paginate(call.form, keys, (k) => `${String(k.created).padStart(16, '0')}\0${k.accessKey}`);
      return { AccessKeyMetadata: members(page.items.map(accessKeyMetadata)), ...page.fields };
    },
  },

  UpdateAccessKey: {
    adminAction: 'admin:UpdateServiceAccount',
    selfService,
    async run(call) {
      const id = required(call.form, 'AccessKeyId');
      const status = accessKeyStatus(call.form);
      ownedKey(call, ownerOf(call), id);
      await call.iam.updateServiceAccount(id, { status });
      return undefined;
    },
  },

  DeleteAccessKey: {
    adminAction: 'admin:RemoveServiceAccount',
    selfService,
    async run(call) {
      const id = required(call.form, 'AccessKeyId');
      ownedKey(call, ownerOf(call), id);
      await call.iam.deleteServiceAccount(id);
      return undefined;
    },
  },
};

function selfService(call: IamCall): boolean {
  return targetsSelf(call.caller, call.form);
}

/**
 * The user whose keys the request is about. Another name must be an IAM user:
 * root's keys are reachable only by root itself (as "self"), never by naming
 * root's access key as a UserName.
 */
function ownerOf(call: IamCall): string {
  const named = optional(call.form, 'UserName');
  if (named === undefined || named === call.caller.name) return call.caller.name;
  return call.iam.getUser(named).name;
}

/** A key of someone else answers as an unknown one: a user cannot learn which keys exist. */
function ownedKey(call: IamCall, owner: string, id: string): ServiceAccountRecord {
  const sa = call.iam.listServiceAccounts(owner).find((k) => k.accessKey === id);
  if (!sa) throw new GranaryError('NoSuchEntity', `The Access Key with id ${id} cannot be found for user ${JSON.stringify(owner)}.`);
  return sa;
}
