import { accessKeyOperations } from './access-keys.js';
import { attachmentOperations } from './attachments.js';
import { groupOperations } from './groups.js';
import { inlinePolicyOperations } from './inline-policies.js';
import { managedPolicyOperations } from './managed-policies.js';
import type { Operation } from './operation.js';
import { userOperations } from './users.js';

/**
 * Every IAM Action this API answers, with the admin action (MinIO's names)
 * the authorizer is asked about:
 *
 *   CreateUser / DeleteUser / GetUser / ListUsers      admin:CreateUser / DeleteUser / GetUser / ListUsers
 *   Create / Update / Delete / ListAccessKeys          admin:CreateServiceAccount / UpdateServiceAccount /
 *                                                      RemoveServiceAccount / ListServiceAccounts
 *   CreateGroup, AddUserToGroup                        admin:AddUserToGroup
 *   RemoveUserFromGroup, DeleteGroup                   admin:RemoveUserFromGroup
 *   GetGroup                                           admin:GetGroup
 *   ListGroups, ListGroupsForUser                      admin:ListGroups
 *   CreatePolicy / DeletePolicy                        admin:CreatePolicy / DeletePolicy
 *   GetPolicy, GetPolicyVersion, ListPolicyVersions,
 *   GetUserPolicy                                      admin:GetPolicy
 *   ListPolicies, ListUserPolicies,
 *   ListAttachedUserPolicies, ListAttachedGroupPolicies  admin:ListUserPolicies
 *   Attach/Detach User/Group Policy,
 *   PutUserPolicy, DeleteUserPolicy                    admin:AttachUserOrGroupPolicy
 *
 * GetUser and the access key actions need no admin right when they act on
 * the caller itself (see targetsSelf). A Map, so an Action such as
 * "constructor" or "__proto__" finds nothing.
 */
export const OPERATIONS: ReadonlyMap<string, Operation> = new Map(
  Object.entries({
    ...userOperations,
    ...accessKeyOperations,
    ...groupOperations,
    ...managedPolicyOperations,
    ...attachmentOperations,
    ...inlinePolicyOperations,
  }),
);
