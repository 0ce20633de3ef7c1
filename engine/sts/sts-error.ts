import { GranaryError } from '../common/errors.js';

/**
 * Codes of the AWS STS query API that the engine's error table does not
 * carry (they mean nothing to S3): answered in STS's ErrorResponse XML with
 * the status AWS uses. GranaryErrors thrown below (AccessDenied,
 * MalformedPolicyDocument, NotImplemented …) keep their own code and status.
 */
export const STS_ERRORS = {
  InvalidAction: 400,
  MissingAction: 400,
  ValidationError: 400,
  InvalidParameterValue: 400,
  MissingParameter: 400,
  MalformedPolicyDocument: 400,
  PackedPolicyTooLarge: 400,
  InvalidIdentityToken: 400,
  ExpiredTokenException: 400,
  IDPRejectedClaim: 403,
  IDPCommunicationError: 400,
  AccessDenied: 403,
} as const;

export type StsErrorCode = keyof typeof STS_ERRORS;

export class StsError extends Error {
  readonly status: number;

  constructor(readonly code: StsErrorCode, message: string) {
    super(message);
    this.name = 'StsError';
    this.status = STS_ERRORS[code];
  }
}

export interface StsWireError {
  code: string;
  status: number;
  message: string;
}

/** What the client hears for any error; unexpected ones become InternalError, details to the log only. */
export function stsWireError(err: unknown, log?: (line: string) => void): StsWireError {
  if (err instanceof StsError || err instanceof GranaryError) return { code: err.code, status: err.status, message: err.message };
  log?.(`STS: internal error: ${(err as Error)?.stack ?? String(err)}`);
  return { code: 'InternalError', status: 500, message: 'We encountered an internal error. Please try again.' };
}
