import type { GroupInfo, PolicySummary, UserInfo } from '../../../engine/api/console/types';
import { identityApi } from './api/identity-client';

/**
 * Users, groups and policies, loaded together: each Identity tab lists one
 * and offers the other two as choices (a user's groups, a group's members,
 * either's policies). Null until the first answer.
 */
export class IdentityLists {
  users = $state<UserInfo[] | null>(null);
  groups = $state<GroupInfo[] | null>(null);
  policies = $state<PolicySummary[] | null>(null);
  error = $state<unknown>(null);

  readonly userNames = $derived((this.users ?? []).map((u) => u.name));
  readonly groupNames = $derived((this.groups ?? []).map((g) => g.name));
  readonly policyNames = $derived((this.policies ?? []).map((p) => p.name));

  async load(): Promise<void> {
    try {
      const [u, g, p] = await Promise.all([identityApi.users(), identityApi.groups(), identityApi.policies()]);
      this.users = u.users;
      this.groups = g.groups;
      this.policies = p.policies;
      this.error = null;
    } catch (err) {
      this.error = err;
    }
  }
}
