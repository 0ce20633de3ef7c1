import { GranaryError } from '../../common/errors.js';
import { policyArn, policyNameFromArn } from './arns.js';
import type { IamCall } from './operation.js';
import { required } from './params.js';
import type { PolicyEntry } from './shapes.js';

/** Managed policies (built-in and created) by name, as IAM lists and attaches them. */
export function policyEntries(call: IamCall): Map<string, PolicyEntry> {
  return new Map(call.iam.listPolicies().map((p) => [p.name, p]));
}

/** The managed policy a PolicyArn parameter names, or NoSuchEntity with the ARN. */
export function policyFromArn(call: IamCall): PolicyEntry {
  const arn = required(call.form, 'PolicyArn');
  const p = policyEntries(call).get(policyNameFromArn(arn));
  if (!p) throw new GranaryError('NoSuchEntity', `Policy ${arn} does not exist or is not attachable.`);
  return p;
}

/** How many users and groups a policy is attached to. */
export function attachmentCount(call: IamCall, name: string): number {
  return call.iam.listUsers().filter((u) => u.policies.includes(name)).length + call.iam.listGroups().filter((g) => g.policies.includes(name)).length;
}

/** AttachedPolicy shapes for names attached to a user or group. */
export function attachedPolicies(call: IamCall, names: string[]): { PolicyName: string; PolicyArn: string }[] {
  const entries = policyEntries(call);
  return names.map((name) => ({ PolicyName: name, PolicyArn: policyArn(call.accountId, name, entries.get(name)?.builtin ?? false) }));
}
