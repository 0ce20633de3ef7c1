import { isGranaryError } from '../common/errors.js';
import { PolicyError, type PolicyPosition } from '../iam/policy/policy.js';

/**
 * Refusals only the console API makes. They live here rather than in the
 * engine's error table (engine/common/errors.ts) because that table is S3's
 * and IAM's wire vocabulary, and these answer a browser: 401 means "log in
 * again", which no S3 code says. Errors from the layers below (GranaryError)
 * pass through with their own code and status.
 */
export const CONSOLE_ERRORS = {
  SessionExpired: { status: 401, message: 'The console session has expired or is not valid; log in again.' },
  InvalidLogin: { status: 401, message: 'The access key or secret key is wrong.' },
  InvalidDirectoryLogin: { status: 401, message: 'The directory user name or password is wrong, or no policy is attached to this user or their groups.' },
  LoginMethodNotConfigured: { status: 404, message: 'This login method is not configured on this server.' },
  DirectoryUnavailable: { status: 503, message: 'The directory could not be reached; try again later.' },
  MfaRequired: { status: 401, message: 'This account needs the code from its authenticator app (or a recovery code).' },
  InvalidMfaCode: { status: 401, message: 'The code is wrong, expired or already used.' },
  MfaEnrolmentRequired: { status: 403, message: 'Multi-factor authentication must be set up before anything else.' },
  MfaAlreadyEnrolled: { status: 409, message: 'Multi-factor authentication is already set up; disable it first.' },
  MfaNotEnrolled: { status: 409, message: 'Multi-factor authentication is not set up for this account.' },
  InvalidCsrfToken: { status: 403, message: 'The x-csrf-token header is missing or does not belong to this session.' },
  CrossOriginRequest: { status: 403, message: 'Requests from other sites are refused.' },
  AccessDenied: { status: 403, message: 'Access Denied.' },
  InvalidRequest: { status: 400, message: 'The request is not valid.' },
  NoSuchRoute: { status: 404, message: 'There is no such console API call.' },
  WrongSecret: { status: 403, message: 'The current secret key is wrong.' },
  RootSecretFromEnvironment: { status: 409, message: 'The root secret key comes from GRANARY_ROOT_PASSWORD: change it there and restart Granary.' },
  // 429 rather than S3's 503 SlowDown: the console talks to browsers, which know 429.
  SlowDown: { status: 429, message: 'Too many failed attempts; wait before trying again.' },
  StorageNotReady: { status: 503, message: 'The drives are not set up yet: finish the setup first.' },
  // First-run setup (engine/setup).
  SetupRequired: { status: 409, message: 'Granary is not set up yet: finish the setup first.' },
  SetupAlreadyDone: { status: 409, message: 'Granary is already set up.' },
  InvalidSetupToken: { status: 403, message: 'The setup token is missing or wrong: open the setup link printed by the engine.' },
  InternalError: { status: 500, message: 'The console hit an internal error.' },
} as const satisfies Record<string, { status: number; message: string }>;

export type ConsoleErrorCode = keyof typeof CONSOLE_ERRORS;

export class ConsoleError extends Error {
  readonly code: ConsoleErrorCode;
  readonly status: number;
  /** Seconds, for a `Retry-After` header (SlowDown). */
  readonly retryAfter: number | undefined;

  constructor(code: ConsoleErrorCode, message?: string, opts: { retryAfter?: number } = {}) {
    super(message ?? CONSOLE_ERRORS[code].message);
    this.name = 'ConsoleError';
    this.code = code;
    this.status = CONSOLE_ERRORS[code].status;
    this.retryAfter = opts.retryAfter;
  }
}

/** What a refusal looks like on the wire; undefined for an unexpected error (answered as 500, details logged, not sent). */
export function describeError(err: unknown): { status: number; code: string; message: string; retryAfter?: number; position?: PolicyPosition } | undefined {
  if (err instanceof ConsoleError) return { status: err.status, code: err.code, message: err.message, ...(err.retryAfter !== undefined ? { retryAfter: err.retryAfter } : {}) };
  if (isGranaryError(err)) {
    // A refused policy carries where in its text the problem is (IamService keeps the PolicyError as the cause).
    const position = err.cause instanceof PolicyError ? err.cause.position : undefined;
    return { status: err.status, code: err.code, message: err.message, ...(position ? { position: { offset: position.offset, line: position.line, column: position.column } } : {}) };
  }
  // fastify's own refusals (malformed JSON, wrong content type, body too large) carry a 4xx statusCode.
  const status = (err as { statusCode?: unknown })?.statusCode;
  if (typeof status === 'number' && status >= 400 && status < 500) return { status, code: 'InvalidRequest', message: (err as Error).message };
  return undefined;
}
