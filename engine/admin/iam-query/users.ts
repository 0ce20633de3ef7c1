import { GranaryError } from '../../common/errors.js';
import { targetsSelf } from './caller.js';
import type { IamCall, Operation } from './operation.js';
import { paginate } from './pagination.js';
import { optional, refuseUnsupported, required, rootPathOnly, underPathPrefix } from './params.js';
import { rootUserShape, userShape } from './shapes.js';
import { members } from './wire.js';

/** IAM users are Granary users made without a secret: they sign with access keys (service accounts) only. */
export const userOperations: Record<string, Operation> = {
  CreateUser: {
    adminAction: 'admin:CreateUser',
    async run(call) {
      const name = required(call.form, 'UserName');
      rootPathOnly(call.form);
      refuseUnsupported(call.form, ['Tags', 'PermissionsBoundary']);
      return { User: userShape(call, await call.iam.createUser(name)) };
    },
  },

  GetUser: {
    adminAction: 'admin:GetUser',
    selfService: (call) => targetsSelf(call.caller, call.form),
    async run(call) {
      const name = optional(call.form, 'UserName') ?? call.caller.name;
      if (name === call.caller.name && call.caller.isRoot) return { User: rootUserShape(call) };
      return { User: userShape(call, call.iam.getUser(name)) };
    },
  },

  ListUsers: {
    adminAction: 'admin:ListUsers',
    async run(call) {
      const users = underPathPrefix(call.form) ? call.iam.listUsers() : [];
      const page = paginate(call.form, users, (u) => u.name);
      return { Users: members(page.items.map((u) => userShape(call, u))), ...page.fields };
    },
  },

  DeleteUser: {
    adminAction: 'admin:DeleteUser',
    async run(call) {
      const name = required(call.form, 'UserName');
      refuseWhileInUse(call, name);
      await call.iam.deleteUser(name);
      return undefined;
    },
  },
};

/**
 * AWS refuses to delete a user who still has access keys, policies or group
 * memberships, and so does this API: Granary's own deleteUser would remove
 * them along with the user, which a script written for AWS does not expect.
 */
function refuseWhileInUse(call: IamCall, name: string): void {
  const user = call.iam.getUser(name);
  const held: string[] = [];
  const keys = call.iam.listServiceAccounts(name).length;
  if (keys > 0) held.push(`${keys} access key(s)`);
  if (user.policies.length > 0) held.push(`attached policies (${user.policies.join(', ')})`);
  const inline = Object.keys(user.inline);
  if (inline.length > 0) held.push(`inline policies (${inline.join(', ')})`);
  const groups = call.iam.groupsOf(name);
  if (groups.length > 0) held.push(`group memberships (${groups.join(', ')})`);
  if (held.length > 0) throw new GranaryError('DeleteConflict', `Cannot delete user ${JSON.stringify(name)}: remove its ${held.join(', ')} first.`);
}
