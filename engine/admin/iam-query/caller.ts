import { GranaryError } from '../../common/errors.js';
import type { IamService } from '../../iam/iam-service.js';
import type { Identity } from '../../iam/identity.js';
import { rootArn, userArn } from './arns.js';

/** Who signed an IAM request, in the terms the IAM API speaks of. */
export interface Caller {
  identity: Exclude<Identity, { type: 'anonymous' }>;
  /**
   * The user whose own record and keys "self" means: the user, an access key's
   * parent, or for root and root's keys root's access key (their parent name).
   */
  name: string;
  isRoot: boolean;
  /** The inline policy that narrows the access key the request was signed with, if any. */
  narrowedBy?: string;
  /** Signed with temporary credentials (STS): such a caller is never served as "itself", only by admin rights. */
  temporary?: boolean;
}

export function callerOf(identity: Identity, iam: IamService): Caller {
  switch (identity.type) {
    case 'anonymous':
      throw new GranaryError('AccessDenied', 'IAM requests must be signed with AWS Signature Version 4.');
    case 'root':
      return { identity, name: identity.accessKey, isRoot: true };
    case 'user':
      return { identity, name: identity.username, isRoot: false };
    case 'serviceAccount': {
      let policy: string | undefined;
      try {
        policy = iam.getServiceAccount(identity.accessKey).policy;
      } catch {
        // Removed between signature check and now: it speaks for nobody any more.
        throw new GranaryError('AccessDenied', 'The access key this request was signed with no longer exists.');
      }
      return { identity, name: identity.username, isRoot: identity.parentIsRoot, ...(policy !== undefined ? { narrowedBy: policy } : {}) };
    }
    case 'session':
      return { identity, name: identity.username, isRoot: identity.parentType === 'root', temporary: true };
  }
}

/** The caller's ARN, for messages. */
export function callerArn(caller: Caller, account: string): string {
  return caller.isRoot ? rootArn(account) : userArn(account, caller.name);
}

/**
 * Whether a request acts on the caller itself (no UserName, or the caller's
 * own): those need no admin right. A key narrowed by an inline policy does not
 * serve itself this way: it could otherwise mint or re-enable keys with its
 * owner's full rights; it must be granted the admin action like anyone else.
 */
export function targetsSelf(caller: Caller, form: URLSearchParams): boolean {
  if (caller.narrowedBy !== undefined || caller.temporary) return false;
  const named = form.get('UserName');
  return named === null || named === '' || named === caller.name;
}
