import { createHash } from 'node:crypto';
import { GranaryError } from '../../common/errors.js';

/** The account every ARN names unless the deployment sets its own: Granary has one account. */
export const DEFAULT_ACCOUNT_ID = '000000000000';

export function userArn(account: string, name: string): string {
  return `arn:aws:iam::${account}:user/${name}`;
}

export function rootArn(account: string): string {
  return `arn:aws:iam::${account}:root`;
}

export function groupArn(account: string, name: string): string {
  return `arn:aws:iam::${account}:group/${name}`;
}

/** Built-ins are shown as AWS-managed policies (`arn:aws:iam::aws:policy/readonly`), the rest in the account. */
export function policyArn(account: string, name: string, builtin: boolean): string {
  return `arn:aws:iam::${builtin ? 'aws' : account}:policy/${name}`;
}

// Any partition and any account part: scripts written for AWS or for another deployment carry over.
const POLICY_ARN = /^arn:aws[a-z-]*:iam::[^:/]*:policy\/(?:.*\/)?([^/]+)$/;

/** The policy name an ARN names; a policy path (`policy/team/x`) is accepted and ignored, as Granary keeps none. */
export function policyNameFromArn(arn: string): string {
  const m = POLICY_ARN.exec(arn);
  if (!m) throw new GranaryError('InvalidInput', `${JSON.stringify(arn)} is not a policy ARN; write arn:aws:iam::${DEFAULT_ACCOUNT_ID}:policy/<name> (or arn:aws:iam::aws:policy/<name> for a built-in policy).`);
  return m[1];
}

const ID_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/**
 * AWS's unique ids (AIDA… users, AGPA… groups, ANPA… policies): Granary stores
 * none, so they are derived from the entity's name and creation time. They are
 * stable across calls and restarts, and a re-created entity gets a new one, as
 * on AWS (Terraform notices the replacement).
 */
export function stableId(prefix: 'AIDA' | 'AGPA' | 'ANPA', name: string, created: number): string {
  const digest = createHash('sha256').update(`${prefix}\0${name}\0${created}`).digest();
  let id = prefix;
  for (let i = 0; id.length < 21; i++) id += ID_ALPHABET[digest[i] % 32];
  return id;
}

/** ISO-8601 to the second, as AWS writes dates (`2024-05-01T12:00:00Z`). */
export function isoDate(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}
