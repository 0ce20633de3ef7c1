/**
 * A refusal from the console API (or a failure to reach it), with a message
 * meant for a person. `code` is the server's error code, or one of ours:
 * `NetworkError` (the engine did not answer), `Aborted` (the user cancelled).
 */
export class ApiError extends Error {
  readonly code: string;
  readonly status: number;
  readonly requestId: string | undefined;
  /** For a refused policy document: where in its text the problem is (line and column from 1). */
  position: { offset: number; line: number; column: number } | undefined;

  constructor(code: string, status: number, message: string, requestId?: string) {
    super(message);
    this.name = 'ApiError';
    this.code = code;
    this.status = status;
    this.requestId = requestId;
  }
}

/** Words for the codes whose server message is written for programs, not people. */
const PLAIN_WORDS: Record<string, string> = {
  AccessDenied: 'Your account is not allowed to do this. Ask an administrator for a policy that grants it.',
  InvalidCsrfToken: 'The page lost track of your session. Reload the page and try again.',
  CrossOriginRequest: 'This request came from another site and was refused.',
  NoSuchBucket: 'That bucket does not exist (any more).',
  NoSuchKey: 'That object does not exist (any more).',
  BucketAlreadyExists: 'A bucket with that name already exists.',
  BucketAlreadyOwnedByYou: 'You already have a bucket with that name.',
  BucketNotEmpty: 'The bucket is not empty. Delete its objects first.',
  InvalidBucketName: 'Bucket names are 3–63 characters: lower-case letters, digits, dots and hyphens, starting and ending with a letter or digit.',
  NoSuchUpload: 'The upload was cancelled or has expired.',
  EntityTooLarge: 'The file is too large for a single upload.',
  IncompleteBody: 'The upload was interrupted before all the bytes arrived.',
  InternalError: 'Something went wrong inside Granary. The details are in the engine log.',
  NoSuchRoute: 'This version of the engine does not offer that function.',
  NotImplemented: 'Granary does not do this yet.',
  WrongSecret: 'The current password is wrong.',
  XMinioStorageFull: 'The drives are full.',
  InsufficientWriteQuorum: 'Too many drives are offline to store data safely right now.',
  InsufficientReadQuorum: 'Too many drives are offline to read this right now.',
};

/** The sentence to show for an error from any call. */
export function describe(err: unknown): string {
  if (err instanceof ApiError) {
    const plain = PLAIN_WORDS[err.code];
    if (plain) return plain;
    return err.message || `The engine refused the request (${err.code}).`;
  }
  if (err instanceof Error) return err.message;
  return String(err);
}
