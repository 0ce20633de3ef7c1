import { GranaryError } from '../common/errors.js';

/** User, group and access-key names: what both AWS IAM and S3 clients accept in a Credential scope. */
const NAME_RE = /^[A-Za-z0-9_+=,.@-]{3,64}$/;
const ACCESS_KEY_RE = /^[A-Za-z0-9_+=.@-]{3,128}$/;
const POLICY_NAME_RE = /^[A-Za-z0-9_+=,.@-]{1,128}$/;

export function checkUserName(name: unknown, what = 'user name'): string {
  if (typeof name !== 'string' || !NAME_RE.test(name)) throw new GranaryError('InvalidInput', `The ${what} must be 3 to 64 letters, digits or _+=,.@- characters.`);
  return name;
}

export function checkAccessKey(key: unknown): string {
  if (typeof key !== 'string' || !ACCESS_KEY_RE.test(key)) throw new GranaryError('InvalidInput', 'An access key must be 3 to 128 letters, digits or _+=.@- characters.');
  return key;
}

export function checkPolicyName(name: unknown): string {
  if (typeof name !== 'string' || !POLICY_NAME_RE.test(name)) throw new GranaryError('InvalidInput', 'A policy name must be 1 to 128 letters, digits or _+=,.@- characters.');
  return name;
}

/** Secret keys of access keys: long enough that guessing is hopeless, short enough for every client. */
export function checkSecretKey(secret: unknown): string {
  if (typeof secret !== 'string' || secret.length < 12 || secret.length > 128 || /[\s\u0000-\u001f]/.test(secret)) {
    throw new GranaryError('InvalidInput', 'A secret key must be 12 to 128 characters without spaces or control characters.');
  }
  return secret;
}
