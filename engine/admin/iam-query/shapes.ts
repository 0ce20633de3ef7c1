import type { GroupRecord, ServiceAccountRecord, UserRecord } from '../../iam/records.js';
import { groupArn, isoDate, policyArn, rootArn, stableId, userArn } from './arns.js';
import type { IamCall } from './operation.js';
import { iamStatus } from './params.js';

/** The XML shapes of botocore's IAM model (User, Group, Policy, AccessKeyMetadata), with Granary's data. */

export function userShape(call: IamCall, u: UserRecord): Record<string, unknown> {
  return { Path: '/', UserName: u.name, UserId: stableId('AIDA', u.name, u.created), Arn: userArn(call.accountId, u.name), CreateDate: isoDate(u.created) };
}

/** Root as GetUser shows it on AWS: the account id as its id, the account's root ARN. */
export function rootUserShape(call: IamCall): Record<string, unknown> {
  return { Path: '/', UserName: call.caller.name, UserId: call.accountId, Arn: rootArn(call.accountId), CreateDate: isoDate(call.startedAt) };
}

export function groupShape(call: IamCall, g: GroupRecord): Record<string, unknown> {
  return { Path: '/', GroupName: g.name, GroupId: stableId('AGPA', g.name, g.created), Arn: groupArn(call.accountId, g.name), CreateDate: isoDate(g.created) };
}

export interface PolicyEntry {
  name: string;
  builtin: boolean;
  document: string;
  created?: number;
}

/** Every policy has one version, v1, replaced never: Granary keeps no policy history. */
export const ONLY_VERSION = 'v1';

export function policyShape(call: IamCall, p: PolicyEntry, attachments: number): Record<string, unknown> {
  const created = isoDate(p.created ?? call.startedAt);
  return {
    PolicyName: p.name,
    PolicyId: stableId('ANPA', p.name, p.created ?? 0),
    Arn: policyArn(call.accountId, p.name, p.builtin),
    Path: '/',
    DefaultVersionId: ONLY_VERSION,
    AttachmentCount: attachments,
    PermissionsBoundaryUsageCount: 0,
    IsAttachable: true,
    CreateDate: created,
    UpdateDate: created,
  };
}

/** Never the secret: only CreateAccessKey shows it, once. */
export function accessKeyMetadata(sa: ServiceAccountRecord): Record<string, unknown> {
  return { UserName: sa.parent, AccessKeyId: sa.accessKey, Status: iamStatus(sa.status), CreateDate: isoDate(sa.created) };
}

/** IAM returns policy documents URL-encoded (botocore and the Go SDK decode them). */
export function encodedDocument(json: string): string {
  return encodeURIComponent(json);
}
