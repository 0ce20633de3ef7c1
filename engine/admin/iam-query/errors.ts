import { GranaryError } from '../../common/errors.js';

/**
 * Codes of the AWS query protocol itself, which no other part of the engine
 * throws and so are not in the engine's error table: a parameter that is
 * missing or out of its enum (ValidationError) and an Action this API does
 * not have (InvalidAction). Both are the client's fault: 400.
 */
export type QueryErrorCode = 'ValidationError' | 'InvalidAction';

export class IamQueryError extends Error {
  readonly status = 400;

  constructor(readonly code: QueryErrorCode, message: string) {
    super(message);
    this.name = 'IamQueryError';
  }
}

/** What goes on the wire for any error. */
export interface WireError {
  code: string;
  status: number;
  message: string;
}

/**
 * GranaryError codes already are IAM's where IAM has one (NoSuchEntity,
 * EntityAlreadyExists, DeleteConflict, MalformedPolicyDocument, InvalidInput,
 * AccessDenied); anything else unexpected is a 500 whose details only the
 * log sees.
 */
export function wireError(err: unknown, log?: (line: string) => void): WireError {
  if (err instanceof IamQueryError || err instanceof GranaryError) return { code: err.code, status: err.status, message: err.message };
  log?.(`IAM query API: internal error: ${(err as Error)?.stack ?? String(err)}`);
  return { code: 'InternalError', status: 500, message: 'We encountered an internal error. Please try again.' };
}
