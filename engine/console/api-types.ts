/**
 * The console API's wire types: the one contract the engine and the renderer
 * both compile against (types only, so the renderer imports no engine code).
 * Every path is under `/api/v1`.
 */

/** Who a session belongs to. */
export interface IdentitySummary {
  type: 'root' | 'user' | 'serviceAccount';
  /** The key the session logged in with. */
  accessKey: string;
  /** The user name; for a service account, the user (or root key) it acts for. */
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
}
