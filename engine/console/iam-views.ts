import type { IamService } from '../iam/iam-service.js';
import type { GroupRecord, ServiceAccountRecord, UserRecord } from '../iam/records.js';
import type { AccessKeyInfo, GroupInfo, PolicySummary, UserInfo } from '../api/console/types.js';

/** IAM records as the console shows them: no secrets, dates in ISO 8601. */
export function userInfo(iam: IamService, u: UserRecord): UserInfo {
  return {
    name: u.name,
    status: u.status,
    policies: u.policies,
    inlinePolicies: Object.keys(u.inline),
    groups: iam.groupsOf(u.name),
    hasSecret: u.secretKey !== undefined,
    mfa: iam.getMfa(u.name)?.enrolled === true,
    accessKeys: iam.listServiceAccounts(u.name).length,
    created: new Date(u.created).toISOString(),
  };
}

export function groupInfo(g: GroupRecord): GroupInfo {
  return { name: g.name, status: g.status, members: g.members, policies: g.policies, created: new Date(g.created).toISOString() };
}

export function policySummary(iam: IamService, p: { name: string; builtin: boolean; created?: number }): PolicySummary {
  return {
    name: p.name,
    builtin: p.builtin,
    ...(p.created !== undefined ? { created: new Date(p.created).toISOString() } : {}),
    attachedTo: {
      users: iam.listUsers().filter((u) => u.policies.includes(p.name)).map((u) => u.name),
      groups: iam.listGroups().filter((g) => g.policies.includes(p.name)).map((g) => g.name),
    },
  };
}

export function accessKeyInfo(s: ServiceAccountRecord, now = Date.now()): AccessKeyInfo {
  return {
    accessKey: s.accessKey,
    parent: s.parent,
    status: s.status,
    ...(s.name ? { name: s.name } : {}),
    ...(s.description ? { description: s.description } : {}),
    ...(s.expiry !== undefined ? { expiry: new Date(s.expiry).toISOString() } : {}),
    expired: s.expiry !== undefined && s.expiry <= now,
    ...(s.policy !== undefined ? { policy: s.policy } : {}),
    created: new Date(s.created).toISOString(),
  };
}
