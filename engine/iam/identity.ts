/** Who a request comes from, once its signature has been checked. */
export type Identity =
  | { type: 'root'; accessKey: string; username: string }
  | { type: 'user'; accessKey: string; username: string }
  | { type: 'serviceAccount'; accessKey: string; /** The parent user (or root's access key). */ username: string; parentIsRoot: boolean }
  | { type: 'anonymous' };

/** aws:PrincipalType as AWS spells it. */
export function principalType(id: Identity): string {
  switch (id.type) {
    case 'root': return 'Account';
    case 'user': return 'User';
    case 'serviceAccount': return 'User';
    case 'anonymous': return 'Anonymous';
  }
}

/** The ARN a bucket policy's Principal names this identity by. */
export function principalArn(id: Identity): string | undefined {
  switch (id.type) {
    case 'root': return 'arn:aws:iam:::root';
    case 'user':
    case 'serviceAccount': return `arn:aws:iam:::user/${id.username}`;
    case 'anonymous': return undefined;
  }
}
