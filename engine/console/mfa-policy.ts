import type { IamService } from '../iam/iam-service.js';

/** The setting (IamService settings) that makes MFA compulsory for every console login. */
export const REQUIRE_MFA_SETTING = 'console.requireMfa';

export function mfaRequired(iam: IamService): boolean {
  return iam.setting(REQUIRE_MFA_SETTING) === 'true';
}

/** MFA records are kept under the access key that logs in: a user's name (it is their access key), root's key, or a service account's key. */
export function mfaEnrolled(iam: IamService, accessKey: string): boolean {
  return iam.getMfa(accessKey)?.enrolled === true;
}
