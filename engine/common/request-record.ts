/**
 * What every API (S3, admin, IAM, STS, console) reports about each request
 * once it is answered: the one record audit and metrics both read, so the
 * APIs know nothing of either.
 */
export interface RequestRecord {
  /** When the request arrived. */
  time: Date;
  api: 's3' | 'admin' | 'iam' | 'sts' | 'console';
  /** The operation: an S3 endpoint (GetObject …), an admin route, an IAM action. */
  operation: string;
  requestId: string;
  bucket?: string;
  object?: string;
  status: number;
  /** The error code answered (S3's, IAM's or the console's), absent on success. */
  errorCode?: string;
  durationMs: number;
  bytesIn: number;
  bytesOut: number;
  remoteAddress: string;
  userAgent?: string;
  accessKey?: string;
  /** The user a service account or session belongs to. */
  parentUser?: string;
  /** root, user, serviceAccount, anonymous … */
  identityType?: string;
  /** Claims of a session (STS, console), when there is one. */
  claims?: Record<string, unknown>;
  /** The authorizer's decisions for this request, in the order asked. */
  decisions?: { action: string; resource: string; allowed: boolean; reason: string; policy?: string; sid?: string; statement?: number }[];
}

export type RequestObserver = (record: RequestRecord) => void;
