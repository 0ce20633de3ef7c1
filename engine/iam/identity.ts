import type { SessionRecord } from './records.js';

/** Who a request comes from, once its signature has been checked. */
export type Identity =
  | { type: 'root'; accessKey: string; username: string }
  | { type: 'user'; accessKey: string; username: string }
  | { type: 'serviceAccount'; accessKey: string; /** The parent user (or root's access key). */ username: string; parentIsRoot: boolean }
  | {
      type: 'session';
      /** The temporary access key (STS). */
      accessKey: string;
      /** The parent user, root's access key, or the federated subject. */
      username: string;
      parentType: SessionRecord['parentType'];
      /** `AssumeRole`, `oidc:<provider>`, … */
      issuer: string;
    }
  | { type: 'anonymous' };

/** aws:PrincipalType as AWS spells it. */
export function principalType(id: Identity): string {
  switch (id.type) {
    case 'root': return 'Account';
    case 'user': return 'User';
    case 'serviceAccount': return 'User';
    case 'session': return 'AssumedRole';
    case 'anonymous': return 'Anonymous';
  }
}

/** The ARN a bucket policy's Principal names this identity by. */
export function principalArn(id: Identity): string | undefined {
  switch (id.type) {
    case 'root': return 'arn:aws:iam:::root';
    case 'user':
    case 'serviceAccount': return `arn:aws:iam:::user/${id.username}`;
    // A session speaks for its parent (as MinIO): a bucket policy naming the user covers their temporary keys.
    case 'session':
      if (id.parentType === 'root') return 'arn:aws:iam:::root';
      if (id.parentType === 'federated') return `arn:aws:sts:::assumed-role/${id.issuer}/${id.username}`;
      return `arn:aws:iam:::user/${id.username}`;
    case 'anonymous': return undefined;
  }
}
