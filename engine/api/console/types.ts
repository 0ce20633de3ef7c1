/**
 * The console API's wire types: the one contract the engine and the renderer
 * both compile against. Types only, like everything in engine/api: the
 * renderer may import these folders' types and nothing else of the engine
 * (eslint.renderer.config.js). Every path is under `/api/v1`.
 */

/** Who a session belongs to. */
export interface IdentitySummary {
  /** `session`: a directory or OIDC login, acting through the temporary credentials issued for it. */
  type: 'root' | 'user' | 'serviceAccount' | 'session';
  /** The key the session logged in with (temporary, `GT…`, for a federated login). */
  accessKey: string;
  /** For a federated login: `ldap`, or `oidc:<provider>`. */
  issuer?: string;
  /** The user name; for a service account, the user (or root key) it acts for; for a federated login, the DN or subject. */
  name: string;
}

/** `GET /session`, and the answer to a successful `POST /login`. */
export interface SessionInfo {
  identity: IdentitySummary;
  mfa: {
    enrolled: boolean;
    /** Whether the deployment requires MFA for every console login (`PUT /settings/require-mfa`). */
    required: boolean;
  };
  /**
   * True for a restricted session: MFA is required but not set up yet, and the
   * session may only enrol (`/mfa/enrol`, `/mfa/verify`), read itself and log out.
   */
  mfaEnrolmentRequired: boolean;
  /** ISO 8601. */
  expiresAt: string;
  /** Send it back as the `x-csrf-token` header on every POST, PUT, PATCH and DELETE. */
  csrfToken: string;
}

/** `POST /login`. */
export interface LoginRequest {
  accessKey: string;
  secretKey: string;
  /** The 6-digit code of the authenticator app, once MFA is enrolled. */
  totp?: string;
  /** Instead of `totp`: one of the recovery codes (each works once). */
  recoveryCode?: string;
}

export type LoginResponse = SessionInfo;

/** `GET /login/methods` (no session): which login forms the page offers besides access keys. */
export interface LoginMethods {
  /** `POST /login/ldap` works: LDAP is configured. */
  ldap: boolean;
  /** OpenID providers offering "Log in with <label>": `GET /login/oidc/<name>` starts it. */
  oidc: { name: string; label: string }[];
}

/** `POST /login/ldap`: the directory user name (or DN, as the directory accepts) and password. */
export interface LdapLoginRequest {
  username: string;
  password: string;
}

/** `POST /mfa/enrol`: the secret to show as a QR code (`uri`) or to type (`secret`). */
export interface MfaEnrolResponse {
  secret: string;
  uri: string;
}

/** `POST /mfa/verify` and `POST /mfa/disable`. */
export interface MfaCodeRequest {
  code: string;
}

/** `POST /mfa/verify`: the recovery codes are shown this once. */
export interface MfaVerifyResponse {
  enrolled: true;
  recoveryCodes: string[];
  /** Set when a restricted session was upgraded to a full one (a new cookie was set with it). */
  session?: SessionInfo;
}

/** `PUT /settings/require-mfa` (root only), and its answer. */
export interface RequireMfaSetting {
  required: boolean;
}

/** One entry of `GET /security/events`: a failed authentication (console, S3 or admin API). */
export interface SecurityEvent {
  /** ISO 8601. */
  time: string;
  accessKey?: string;
  address: string;
  failures: number;
  /** How long further attempts are held back; 0 below the threshold. */
  delayMs: number;
  /** What is held back: the access key or the source address. */
  throttled?: 'accessKey' | 'address';
}

export interface SecurityEventsResponse {
  events: SecurityEvent[];
}

/** `GET /tls/instructions`: how to make a client trust the local CA (`GET /tls/ca`). */
export interface TlsInstructions {
  /** SHA-256 of the CA certificate, as the server printed it at start: compare before trusting. */
  fingerprint: string;
  /** The file name `GET /tls/ca` downloads as. */
  fileName: string;
  steps: { platform: string; commands: string[]; note?: string }[];
}

/**
 * Every refusal. `SessionExpired` (401) means: go to the login page; the
 * session is missing, expired, revoked, tampered with, or its user is gone.
 */
export interface ConsoleErrorBody {
  code: string;
  message: string;
  requestId: string;
  /** For a refused policy document (`MalformedPolicyDocument`): where in its text the problem is. */
  position?: TextPosition;
}

/** A place in a text: `offset` indexes the string as sent (UTF-16 units); line and column count from 1. */
export interface TextPosition {
  offset: number;
  line: number;
  column: number;
}

// ---- Identity: users, groups, policies, access keys ------------------------------
// Each call needs the admin action the admin API asks for the same change
// (admin:ListUsers, admin:CreateUser, …), decided for the session's identity.
// Users need none for their own access keys and their own password.

export type EntityStatus = 'enabled' | 'disabled';

/** One user, as `GET /users` lists them. */
export interface UserInfo {
  name: string;
  status: EntityStatus;
  /** Attached managed policies (built-in or created). */
  policies: string[];
  /** Names of inline policies (set through the IAM API). */
  inlinePolicies: string[];
  groups: string[];
  /** False for users made through the IAM API: they sign with access keys only and cannot log in here. */
  hasSecret: boolean;
  mfa: boolean;
  /** How many access keys (service accounts) the user has. */
  accessKeys: number;
  /** ISO 8601. */
  created: string;
}

export interface UsersResponse {
  users: UserInfo[];
}

/** `POST /users`. The secret key is the user's password: the password rules apply. */
export interface NewUserRequest {
  name: string;
  secretKey: string;
  policies?: string[];
  groups?: string[];
}

/** `PUT /users/:name/status`, `PUT /groups/:name/status`. */
export interface StatusRequest {
  status: EntityStatus;
}

/** `PUT /users/:name/policies`, `PUT /groups/:name/policies`: exactly these policies attached afterwards. */
export interface AttachedPoliciesRequest {
  policies: string[];
}

/** `PUT /users/:name/groups`: exactly these groups afterwards. */
export interface UserGroupsRequest {
  groups: string[];
}

export interface GroupInfo {
  name: string;
  status: EntityStatus;
  members: string[];
  policies: string[];
  created: string;
}

export interface GroupsResponse {
  groups: GroupInfo[];
}

/** `POST /groups`. */
export interface NewGroupRequest {
  name: string;
  members?: string[];
  policies?: string[];
}

/** `PUT /groups/:name/members`: exactly these members afterwards. */
export interface GroupMembersRequest {
  members: string[];
}

export interface PolicySummary {
  name: string;
  /** Built-in policies (readonly, readwrite, writeonly, diagnostics, consoleAdmin) cannot be changed or removed. */
  builtin: boolean;
  created?: string;
  attachedTo: { users: string[]; groups: string[] };
}

export interface PoliciesResponse {
  policies: PolicySummary[];
}

/** `GET /policies/:name`. */
export interface PolicyInfo extends PolicySummary {
  /** The JSON text as stored (built-ins pretty-printed). */
  document: string;
}

/**
 * `POST /policies` (`name` required), `PUT /policies/:name` (a new text for
 * an existing policy), `POST /policies/check` (validate only). A refused
 * document answers 400 `MalformedPolicyDocument` with `position`.
 */
export interface PolicyDocumentRequest {
  name?: string;
  document: string;
}

export interface PolicyCheckResponse {
  valid: true;
}

/** An access key (service account): signs S3 requests as its user, narrowed by its own policy when it has one. */
export interface AccessKeyInfo {
  accessKey: string;
  /** The user it belongs to (root's access key for root's own keys). */
  parent: string;
  status: EntityStatus;
  name?: string;
  description?: string;
  /** ISO 8601; past it the key is refused. */
  expiry?: string;
  expired: boolean;
  /** Its inline policy, as JSON text. */
  policy?: string;
  created: string;
}

export interface AccessKeysResponse {
  accessKeys: AccessKeyInfo[];
}

/** `POST /access-keys`: for the session's own account unless `user` names another (admin:CreateServiceAccount). */
export interface NewAccessKeyRequest {
  user?: string;
  name?: string;
  description?: string;
  /** ISO 8601, in the future. */
  expiry?: string;
  /** JSON text of an identity policy narrowing the key. */
  policy?: string;
}

/** The secret key is in this answer only: it is never shown again. */
export interface NewAccessKeyResponse extends AccessKeyInfo {
  secretKey: string;
}

/** `PATCH /access-keys/:key`; null removes the expiry or the policy. */
export interface AccessKeyUpdate {
  status?: EntityStatus;
  name?: string;
  description?: string;
  expiry?: string | null;
  policy?: string | null;
}

/**
 * `PUT /account/password`: the session's own secret key. Its other sessions
 * end; this one goes on (its new cookie comes with the answer). Root's secret
 * changes here only when it is kept in the config directory's file, not when
 * it comes from GRANARY_ROOT_PASSWORD (`RootSecretFromEnvironment`).
 */
export interface PasswordChangeRequest {
  currentSecret: string;
  newSecret: string;
}

export type PasswordChangeResponse = SessionInfo;

/** `GET /security/admin-networks`: where the admin API answers from (`--admin-allow`), read-only. */
export interface AdminNetworksResponse {
  cidrs: string[];
  /** The address this console request came from, and whether the admin API would answer it. */
  yourAddress: string;
  yourAddressAllowed: boolean;
}

// ---- storage, buckets and objects (engine/console/routes/storage.ts, buckets.ts, objects.ts, uploads.ts, share.ts) ----

/** One drive as the dashboard shows it. */
export interface DriveSummary {
  path: string | null;
  state: 'online' | 'offline';
  totalBytes?: number;
  freeBytes?: number;
}

/** One erasure set: k data + m parity drives. */
export interface ErasureSetSummary {
  dataDrives: number;
  parityDrives: number;
  /** healthy: all drives online; degraded: some offline, writes go on; read-only: below write quorum; offline: below read quorum. */
  state: 'healthy' | 'degraded' | 'read-only' | 'offline';
  drives: DriveSummary[];
}

/** `GET /traffic` (admin:ServerInfo): recent S3 traffic (engine/metrics/traffic-window.ts fills it). */
export type { TrafficClass, TrafficCounts, TrafficMinute, TrafficSummary } from '../traffic/types.js';

/** `GET /storage`: capacity and drives (needs a session, no S3 permission: it says nothing about objects). */
export interface StorageSummary {
  deploymentId: string;
  /** The worst state of any set. */
  state: ErasureSetSummary['state'];
  /** What objects can use, after parity: raw bytes × k / (k + m), from the drives online. */
  usableBytes: number;
  usableFreeBytes: number;
  rawBytes: number;
  rawFreeBytes: number;
  drivesOnline: number;
  drivesTotal: number;
  /** Distinct filesystems under the online drives: drive folders on one disk count its bytes once. */
  disks: number;
  /** Groups of two or more online drives on one disk: one disk failure takes all of a group. */
  sharedDisks: { drives: string[] }[];
  sets: ErasureSetSummary[];
  /** ISO 8601: when this was measured. */
  measuredAt: string;
}

export interface BucketSummary {
  name: string;
  /** ISO 8601. */
  created: string;
}

/** `GET /buckets` (s3:ListAllMyBuckets). */
export interface BucketListResponse {
  buckets: BucketSummary[];
}

/** `POST /buckets` (s3:CreateBucket); `DELETE /buckets/:bucket` (s3:DeleteBucket) deletes an empty bucket. */
export interface CreateBucketRequest {
  name: string;
}

export interface ObjectSummary {
  key: string;
  size: number;
  etag: string;
  /** ISO 8601. */
  lastModified: string;
}

/**
 * `GET /buckets/:bucket/objects?prefix=&delimiter=&continuation=&maxKeys=`
 * (s3:ListBucket, with s3:prefix and s3:delimiter as S3 would pass them).
 */
export interface ObjectListResponse {
  prefix: string;
  delimiter: string;
  objects: ObjectSummary[];
  /** Common prefixes ("folders"), each ending with the delimiter. */
  prefixes: string[];
  /** Present when there is a next page: pass it back as `continuation`. */
  nextContinuation?: string;
}

/**
 * `PUT /buckets/:bucket/object?key=` with the raw bytes as body and a
 * Content-Length (s3:PutObject), `GET` the same URL to download
 * (s3:GetObject), `DELETE` it to delete (s3:DeleteObject).
 */
export interface ObjectWriteResponse {
  key: string;
  size: number;
  etag: string;
}

/** `POST /buckets/:bucket/uploads` (s3:PutObject): starts a multipart upload. */
export interface MultipartCreateRequest {
  key: string;
  contentType?: string;
}

export interface MultipartCreateResponse {
  uploadId: string;
  /** The part size the console suggests (parts but the last must be ≥ 5 MiB). */
  partSize: number;
}

/** `PUT /buckets/:bucket/uploads/:uploadId/parts/:partNumber?key=` with the raw part as body. */
export interface PartWriteResponse {
  partNumber: number;
  etag: string;
}

/** `POST /buckets/:bucket/uploads/:uploadId/complete`; `DELETE /buckets/:bucket/uploads/:uploadId?key=` aborts. */
export interface MultipartCompleteRequest {
  key: string;
  parts: { partNumber: number; etag: string }[];
}

/** `POST /buckets/:bucket/share` (s3:GetObject): a presigned GET URL signed with the session's own key. */
export interface ShareRequest {
  key: string;
  /** 1 s … 7 days (604800 s), SigV4's limit. */
  expiresInSeconds: number;
}

export interface ShareResponse {
  url: string;
  /** ISO 8601. */
  expiresAt: string;
}

/**
 * First-run setup (engine/setup). While the engine has no drives it serves
 * only these calls (and the pages); every other call answers 409
 * `SetupRequired`. All but `GET /setup` need the one-time token of the setup
 * URL (`/setup?token=…`, printed in the log) as the `x-setup-token` header;
 * a missing or wrong token answers 403 `InvalidSetupToken`. Once setup is
 * done, `GET /setup` answers `{ needed: false }` and the others 409 `SetupAlreadyDone`.
 */

/** `GET /setup` (no token needed). */
export interface SetupStatus {
  needed: boolean;
}

/** One mounted filesystem of this machine, offered as a drive. */
export interface SetupDisk {
  /** The block device, e.g. `/dev/sdb1`. */
  device: string;
  /** Where it is mounted: the path to choose as a drive (or a folder under it). */
  mount: string;
  model?: string;
  sizeBytes: number;
  freeBytes: number;
  /** Filesystem type, e.g. `ext4`. */
  fs: string;
  /** SMART overall status (`Ok`, `Predicted failure`…) when the machine reports it. */
  smart?: string;
}

/** `GET /setup/disks`. */
export interface SetupDisksResponse {
  disks: SetupDisk[];
}

/** `POST /setup/preview`: absolute folder paths (mount points or folders), and the parity per erasure set. */
export interface SetupPreviewRequest {
  drives: string[];
  parity: number;
}

/**
 * `POST /setup/preview` answers 200 even when the choice is not valid:
 * `ok` false with `error` (the whole choice) and/or `perDrive[i].problem`.
 */
export interface SetupPreviewResponse {
  ok: boolean;
  error?: string;
  dataDrives: number;
  parityDrives: number;
  /** What objects can fill: data drives × the smallest free space in each set (a shared disk's space split among its drives). */
  usableBytes: number;
  /** The free space of the chosen drives' disks added up, each disk once. */
  rawBytes: number;
  /** Distinct filesystems under the chosen folders: fewer than the drives means one disk failure loses several. */
  disks: number;
  /** Drives (per set) that can fail with every object still readable. */
  canLose: number;
  perDrive: { path: string; freeBytes: number; ok: boolean; problem?: string }[];
}

/** `POST /setup`. The password follows the root password rules (12+ characters, not common or guessable). */
export interface SetupRequest {
  drives: string[];
  parity: number;
  rootUser: string;
  rootPassword: string;
}

/**
 * `POST /setup`: the S3 port and the full console API are up when this
 * arrives; log in with `POST /login` using rootUser/rootPassword. Refusals:
 * 400 `InvalidRequest` (drives, parity, user name), 400 `PasswordPolicyViolation`.
 */
export interface SetupResponse {
  /** The S3 endpoint as reached from this machine. */
  s3Endpoint: string;
  consoleUrl: string;
  /** The S3 endpoint on each LAN address of this machine (empty when S3 listens on loopback only). */
  lanAddresses: string[];
  /** A profile for `~/.aws/config` (use with `--profile granary`). */
  awsConfig: string;
  /** A remote for `rclone.conf` (use as `granary:`). */
  rcloneConfig: string;
}
