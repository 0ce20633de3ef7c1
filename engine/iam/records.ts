/**
 * What IAM remembers. Secrets are plain only in memory: the database and the
 * snapshots on the drives hold them sealed under the master key.
 */
export type Status = 'enabled' | 'disabled';

export interface UserRecord {
  /** The user name; for users made with a secret it is also their access key (MinIO's model). */
  name: string;
  /** Absent for users made through the IAM API: they sign with access keys (service accounts) only. */
  secretKey?: string;
  status: Status;
  /** Names of attached managed policies (built-in or created). */
  policies: string[];
  /** Inline policies by name (IAM PutUserPolicy), as JSON text. */
  inline: Record<string, string>;
  created: number;
}

export interface GroupRecord {
  name: string;
  status: Status;
  members: string[];
  policies: string[];
  created: number;
}

export interface PolicyRecord {
  name: string;
  document: string;
  created: number;
}

export interface ServiceAccountRecord {
  accessKey: string;
  secretKey: string;
  /** A user name, or the root access key. */
  parent: string;
  /** Inline policy as JSON text: the account may do only what both it and the parent allow. */
  policy?: string;
  /** Epoch ms; past it the key is refused. */
  expiry?: number;
  name?: string;
  description?: string;
  status: Status;
  created: number;
}

/** TOTP enrolment of a console user (a user name, or root's access key). */
export interface MfaRecord {
  name: string;
  secret: string;
  /** The last TOTP step accepted: a code is never accepted twice. */
  lastStep: number;
  /** SHA-256 of the unused recovery codes. */
  recovery: string[];
  /** False between "enrol" and the first verified code. */
  enrolled: boolean;
}

/**
 * Temporary credentials (STS). The session token itself is a signed JWT
 * (engine/sts); IAM keeps only its SHA-256, enough to tell the very token it
 * issued from a tampered one. Revoked sessions stay as tombstones until they
 * would have expired, so their use is answered "revoked", not "unknown key".
 */
export interface SessionRecord {
  accessKey: string;
  secretKey: string;
  /** SHA-256 (hex) of the session token. */
  tokenSha256: string;
  /** Whose rights the session carries: a user, root, a service account, or an external identity (OIDC, LDAP …). */
  parentType: 'root' | 'user' | 'serviceAccount' | 'federated';
  /** The parent user name, root's access key, the service account's parent user, or the federated subject. */
  parent: string;
  /** For a service-account parent: its access key, whose own limits also apply. */
  parentAccessKey?: string;
  /** Federated sessions: the managed policies the provider (role or claim) grants. */
  policies?: string[];
  /** Federated sessions: group names for aws:groups conditions. */
  groups?: string[];
  /** Session policy (JSON text): the session may do only what this also allows. */
  sessionPolicy?: string;
  /** Which provider issued a federated session (`oidc:<name>`, `ldap`, …); `AssumeRole` otherwise. */
  issuer: string;
  roleSessionName?: string;
  /** Epoch ms. */
  expiry: number;
  created: number;
  status: 'active' | 'revoked';
}

export interface BucketPolicyRecord {
  bucket: string;
  document: string;
}

export interface IamState {
  users: Map<string, UserRecord>;
  groups: Map<string, GroupRecord>;
  policies: Map<string, PolicyRecord>;
  serviceAccounts: Map<string, ServiceAccountRecord>;
  bucketPolicies: Map<string, BucketPolicyRecord>;
  mfa: Map<string, MfaRecord>;
  /** Settings the admin API changes at run time (e.g. console MFA required). */
  settings: Map<string, string>;
  /** Engine secrets (the console's session signing key …), sealed on disk. */
  secrets: Map<string, string>;
  /** STS temporary credentials by access key. */
  sessions: Map<string, SessionRecord>;
}

export type EntityKind = 'user' | 'group' | 'policy' | 'svcacct' | 'bucket-policy' | 'mfa' | 'setting' | 'secret' | 'sts';

export function emptyState(): IamState {
  return { users: new Map(), groups: new Map(), policies: new Map(), serviceAccounts: new Map(), bucketPolicies: new Map(), mfa: new Map(), settings: new Map(), secrets: new Map(), sessions: new Map() };
}
