import { GranaryError } from '../../common/errors.js';
import type { UserRecord } from '../../iam/records.js';
import type { Operation } from './operation.js';
import { paginate } from './pagination.js';
import { required, rootPathOnly, underPathPrefix } from './params.js';
import { groupShape, userShape } from './shapes.js';
import { members } from './wire.js';

/**
 * Groups. Admin actions are MinIO's: it has no CreateGroup or DeleteGroup
 * action, a group being made by adding members (admin:AddUserToGroup) and
 * removed by removing them (admin:RemoveUserFromGroup).
 */
export const groupOperations: Record<string, Operation> = {
  CreateGroup: {
    adminAction: 'admin:AddUserToGroup',
    async run(call) {
      const name = required(call.form, 'GroupName');
      rootPathOnly(call.form);
      return { Group: groupShape(call, await call.iam.createGroup(name)) };
    },
  },

  GetGroup: {
    adminAction: 'admin:GetGroup',
    async run(call) {
      const group = call.iam.getGroup(required(call.form, 'GroupName'));
      const users = group.members.flatMap((m): UserRecord[] => {
        try {
          return [call.iam.getUser(m)];
        } catch {
          return [];
        }
      });
      const page = paginate(call.form, users, (u) => u.name);
      return { Group: groupShape(call, group), Users: members(page.items.map((u) => userShape(call, u))), ...page.fields };
    },
  },

  ListGroups: {
    adminAction: 'admin:ListGroups',
    async run(call) {
      const groups = underPathPrefix(call.form) ? call.iam.listGroups() : [];
      const page = paginate(call.form, groups, (g) => g.name);
      return { Groups: members(page.items.map((g) => groupShape(call, g))), ...page.fields };
    },
  },

  ListGroupsForUser: {
    adminAction: 'admin:ListGroups',
    async run(call) {
      const user = call.iam.getUser(required(call.form, 'UserName'));
      const groups = call.iam.groupsOf(user.name).map((g) => call.iam.getGroup(g));
      const page = paginate(call.form, groups, (g) => g.name);
      return { Groups: members(page.items.map((g) => groupShape(call, g))), ...page.fields };
    },
  },

  AddUserToGroup: {
    adminAction: 'admin:AddUserToGroup',
    async run(call) {
      const group = required(call.form, 'GroupName');
      const user = required(call.form, 'UserName');
      await call.iam.addGroupMembers(group, [user]);
      return undefined;
    },
  },

  RemoveUserFromGroup: {
    adminAction: 'admin:RemoveUserFromGroup',
    async run(call) {
      const group = required(call.form, 'GroupName');
      const user = required(call.form, 'UserName');
      call.iam.getGroup(group);
      call.iam.getUser(user);
      await call.iam.removeGroupMembers(group, [user]);
      return undefined;
    },
  },

  DeleteGroup: {
    adminAction: 'admin:RemoveUserFromGroup',
    async run(call) {
      const name = required(call.form, 'GroupName');
      const group = call.iam.getGroup(name);
      // AWS refuses while policies are attached; Granary's deleteGroup itself refuses while members remain.
      if (group.policies.length > 0) throw new GranaryError('DeleteConflict', `Cannot delete group ${JSON.stringify(name)}: detach its policies (${group.policies.join(', ')}) first.`);
      await call.iam.deleteGroup(name);
      return undefined;
    },
  },
};
