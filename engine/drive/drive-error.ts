/**
 * Errors of one drive. The drive layer knows nothing of S3: the erasure layer
 * counts these per drive and turns a lost quorum into a `GranaryError`.
 */
export type DriveErrorKind =
  | 'offline'      // the drive's folder is gone or its database cannot be opened
  | 'notFound'     // the shard or row asked for is not on this drive
  | 'full'         // ENOSPC / EDQUOT
  | 'io'           // any other I/O failure
  | 'timeout'      // the operation exceeded the drive's deadline (engine/drive/drive-monitor.ts)
  | 'unformatted'; // format.json missing, foreign or tampered

export class DriveError extends Error {
  constructor(readonly kind: DriveErrorKind, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'DriveError';
  }
}

/** The drive did not answer (over its deadline, or taken offline): it can be neither judged nor read from now. */
export function isSilence(err: unknown): err is DriveError {
  return err instanceof DriveError && (err.kind === 'timeout' || err.kind === 'offline');
}

/** Classifies a Node fs error of a drive operation. */
export function driveErrorFrom(err: unknown, context: string): DriveError {
  if (err instanceof DriveError) return err;
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  const detail = `${context}: ${(err as Error | undefined)?.message ?? String(err)}`;
  if (code === 'ENOENT') return new DriveError('notFound', detail, { cause: err });
  if (code === 'ENOSPC' || code === 'EDQUOT' || code === 'SQLITE_FULL') return new DriveError('full', detail, { cause: err });
  return new DriveError('io', detail, { cause: err });
}
