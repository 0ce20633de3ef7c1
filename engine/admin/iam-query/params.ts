import { GranaryError } from '../../common/errors.js';
import type { Status } from '../../iam/records.js';
import { IamQueryError } from './errors.js';

/** A parameter the action cannot do without; empty counts as missing (AWS's minimum length is 1). */
export function required(form: URLSearchParams, name: string): string {
  const v = form.get(name);
  if (v === null || v === '') throw new IamQueryError('ValidationError', `The request is missing the required parameter ${name}.`);
  return v;
}

export function optional(form: URLSearchParams, name: string): string | undefined {
  const v = form.get(name);
  return v === null || v === '' ? undefined : v;
}

/**
 * Granary keeps no IAM paths: everything lives at "/". A different path is
 * refused rather than dropped, so a client never believes it stored one.
 */
export function rootPathOnly(form: URLSearchParams): void {
  const path = optional(form, 'Path');
  if (path !== undefined && path !== '/') throw new GranaryError('InvalidInput', `Granary keeps no IAM paths; Path must be "/" (got ${JSON.stringify(path)}).`);
}

/** Whether an entity at "/" falls under a PathPrefix filter. */
export function underPathPrefix(form: URLSearchParams): boolean {
  const prefix = optional(form, 'PathPrefix');
  return prefix === undefined || '/'.startsWith(prefix);
}

/**
 * Parameters Granary has nowhere to keep (tags, permissions boundaries,
 * descriptions). Silently dropping a permissions boundary would grant more
 * than the caller meant, and dropping tags or a description would leave
 * Terraform with a diff it can never apply, so all are refused by name.
 */
export function refuseUnsupported(form: URLSearchParams, names: string[]): void {
  for (const key of form.keys()) {
    const hit = names.find((n) => key === n || key.startsWith(`${n}.`));
    if (hit !== undefined && form.get(key) !== '') throw new GranaryError('InvalidInput', `Granary does not support ${hit} on IAM entities; leave it out.`);
  }
}

/** IAM's access key status names ↔ Granary's. */
export function accessKeyStatus(form: URLSearchParams): Status {
  const v = required(form, 'Status');
  if (v === 'Active') return 'enabled';
  if (v === 'Inactive') return 'disabled';
  throw new IamQueryError('ValidationError', `Status must be Active or Inactive (got ${JSON.stringify(v)}).`);
}

export function iamStatus(status: Status): 'Active' | 'Inactive' {
  return status === 'enabled' ? 'Active' : 'Inactive';
}

export function booleanParam(form: URLSearchParams, name: string): boolean {
  const v = optional(form, name);
  if (v === undefined || v === 'false') return false;
  if (v === 'true') return true;
  throw new IamQueryError('ValidationError', `${name} must be true or false (got ${JSON.stringify(v)}).`);
}

export function enumParam<T extends string>(form: URLSearchParams, name: string, allowed: readonly T[], fallback: T): T {
  const v = optional(form, name);
  if (v === undefined) return fallback;
  if ((allowed as readonly string[]).includes(v)) return v as T;
  throw new IamQueryError('ValidationError', `${name} must be one of ${allowed.join(', ')} (got ${JSON.stringify(v)}).`);
}
