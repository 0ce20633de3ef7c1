import type {
  AccessKeyInfo,
  AccessKeysResponse,
  AccessKeyUpdate,
  AdminNetworksResponse,
  GroupInfo,
  GroupsResponse,
  MfaEnrolResponse,
  MfaVerifyResponse,
  NewAccessKeyRequest,
  NewAccessKeyResponse,
  NewGroupRequest,
  NewUserRequest,
  PasswordChangeRequest,
  PasswordChangeResponse,
  PoliciesResponse,
  PolicyCheckResponse,
  PolicyInfo,
  RequireMfaSetting,
  SecurityEventsResponse,
  UserInfo,
  UsersResponse,
} from '../../../../engine/api/console/types';
import { request } from './http';

const seg = encodeURIComponent;

/** The Identity and Security screens' calls (engine/console/routes/users.ts, groups.ts, policies.ts, access-keys.ts, password.ts, mfa.ts). */
export const identityApi = {
  users: () => request<UsersResponse>('GET', '/users'),
  createUser: (body: NewUserRequest) => request<UserInfo>('POST', '/users', { body }),
  setUserStatus: (name: string, status: 'enabled' | 'disabled') => request<UserInfo>('PUT', `/users/${seg(name)}/status`, { body: { status } }),
  setUserPolicies: (name: string, policies: string[]) => request<UserInfo>('PUT', `/users/${seg(name)}/policies`, { body: { policies } }),
  setUserGroups: (name: string, groups: string[]) => request<UserInfo>('PUT', `/users/${seg(name)}/groups`, { body: { groups } }),
  deleteUser: (name: string) => request<void>('DELETE', `/users/${seg(name)}`),

  groups: () => request<GroupsResponse>('GET', '/groups'),
  createGroup: (body: NewGroupRequest) => request<GroupInfo>('POST', '/groups', { body }),
  setGroupMembers: (name: string, members: string[]) => request<GroupInfo>('PUT', `/groups/${seg(name)}/members`, { body: { members } }),
  setGroupStatus: (name: string, status: 'enabled' | 'disabled') => request<GroupInfo>('PUT', `/groups/${seg(name)}/status`, { body: { status } }),
  setGroupPolicies: (name: string, policies: string[]) => request<GroupInfo>('PUT', `/groups/${seg(name)}/policies`, { body: { policies } }),
  deleteGroup: (name: string) => request<void>('DELETE', `/groups/${seg(name)}`),

  policies: () => request<PoliciesResponse>('GET', '/policies'),
  policy: (name: string) => request<PolicyInfo>('GET', `/policies/${seg(name)}`),
  createPolicy: (name: string, document: string) => request<PolicyInfo>('POST', '/policies', { body: { name, document } }),
  replacePolicy: (name: string, document: string) => request<PolicyInfo>('PUT', `/policies/${seg(name)}`, { body: { document } }),
  checkPolicy: (document: string) => request<PolicyCheckResponse>('POST', '/policies/check', { body: { document } }),
  deletePolicy: (name: string) => request<void>('DELETE', `/policies/${seg(name)}`),

  accessKeys: (user?: string) => request<AccessKeysResponse>('GET', '/access-keys', { query: { user } }),
  createAccessKey: (body: NewAccessKeyRequest) => request<NewAccessKeyResponse>('POST', '/access-keys', { body }),
  updateAccessKey: (key: string, body: AccessKeyUpdate) => request<AccessKeyInfo>('PATCH', `/access-keys/${seg(key)}`, { body }),
  deleteAccessKey: (key: string) => request<void>('DELETE', `/access-keys/${seg(key)}`),

  changePassword: (body: PasswordChangeRequest) => request<PasswordChangeResponse>('PUT', '/account/password', { body }),
  adminNetworks: () => request<AdminNetworksResponse>('GET', '/security/admin-networks'),
  securityEvents: () => request<SecurityEventsResponse>('GET', '/security/events', { query: { limit: 50 } }),
  mfaEnrol: () => request<{ secret: string; uri: string } & MfaEnrolResponse>('POST', '/mfa/enrol'),
  mfaVerify: (code: string) => request<MfaVerifyResponse>('POST', '/mfa/verify', { body: { code } }),
  mfaDisable: (code: string) => request<{ enrolled: false }>('POST', '/mfa/disable', { body: { code } }),
  requireMfa: () => request<RequireMfaSetting>('GET', '/settings/require-mfa'),
  setRequireMfa: (required: boolean) => request<RequireMfaSetting>('PUT', '/settings/require-mfa', { body: { required } }),
};
