/**
 * The one error table of the engine. Every layer throws a `GranaryError` with
 * one of these codes; the code travels with its HTTP status so the S3 layer
 * never guesses. Codes are S3's own where S3 has one, so clients react as
 * they would against AWS; the `XGranary…` codes are ours (as MinIO's `XMinio…`).
 */
export const ERROR_TABLE = {
  // buckets
  InvalidBucketName: { status: 400, message: 'The specified bucket is not valid.' },
  NoSuchBucket: { status: 404, message: 'The specified bucket does not exist.' },
  BucketAlreadyOwnedByYou: { status: 409, message: 'Your previous request to create the named bucket succeeded and you already own it.' },
  InvalidLocationConstraint: { status: 400, message: 'The specified location constraint is not valid.' },
  BucketNotEmpty: { status: 409, message: 'The bucket you tried to delete is not empty.' },
  // objects
  NoSuchKey: { status: 404, message: 'The specified key does not exist.' },
  KeyTooLongError: { status: 400, message: 'Your key is too long.' },
  InvalidObjectName: { status: 400, message: 'Object name contains unsupported characters.' },
  EntityTooLarge: { status: 400, message: 'Your proposed upload exceeds the maximum allowed object size.' },
  EntityTooSmall: { status: 400, message: 'Your proposed upload is smaller than the minimum allowed object size.' },
  IncompleteBody: { status: 400, message: 'You did not provide the number of bytes specified by the Content-Length HTTP header.' },
  BadDigest: { status: 400, message: 'The Content-MD5 you specified did not match what we received.' },
  InvalidDigest: { status: 400, message: 'The Content-MD5 you specified is not valid.' },
  InvalidRange: { status: 416, message: 'The requested range is not satisfiable.' },
  MetadataTooLarge: { status: 400, message: 'Your metadata headers exceed the maximum allowed metadata size.' },
  InvalidArgument: { status: 400, message: 'Invalid argument.' },
  // multipart
  NoSuchUpload: { status: 404, message: 'The specified multipart upload does not exist.' },
  InvalidPart: { status: 400, message: 'One or more of the specified parts could not be found or did not match.' },
  InvalidPartOrder: { status: 400, message: 'The list of parts was not in ascending order.' },
  // storage
  XGranaryReadQuorum: { status: 503, message: 'Too many drives are offline or damaged to read this object.' },
  XGranaryWriteQuorum: { status: 503, message: 'Too many drives are offline to store this object safely.' },
  XGranaryStorageFull: { status: 507, message: 'Storage backend has reached its minimum free drive threshold.' },
  XGranaryCorruptData: { status: 500, message: 'Stored data failed its integrity check and could not be repaired.' },
  // authentication
  AccessDenied: { status: 403, message: 'Access Denied.' },
  InvalidAccessKeyId: { status: 403, message: 'The AWS access key ID you provided does not exist in our records.' },
  SignatureDoesNotMatch: { status: 403, message: 'The request signature we calculated does not match the signature you provided. Check your key and signing method.' },
  RequestTimeTooSkewed: { status: 403, message: 'The difference between the request time and the server\'s time is too large.' },
  ExpiredToken: { status: 400, message: 'The provided token has expired.' },
  InvalidToken: { status: 400, message: 'The provided token is malformed or otherwise invalid.' },
  AuthorizationHeaderMalformed: { status: 400, message: 'The authorization header is malformed.' },
  AuthorizationQueryParametersError: { status: 400, message: 'Error parsing the X-Amz-Credential parameter.' },
  MissingSecurityHeader: { status: 400, message: 'Your request is missing a required header.' },
  XAmzContentSHA256Mismatch: { status: 400, message: 'The provided \'x-amz-content-sha256\' header does not match what was computed.' },
  InvalidDigestChecksum: { status: 400, message: 'The checksum you specified did not match what we received.' },
  IncompleteSignature: { status: 400, message: 'The request signature does not conform to AWS standards.' },
  SlowDown: { status: 503, message: 'Please reduce your request rate.' },
  ServiceUnavailable: { status: 503, message: 'The service is unavailable; try again later.' },
  XGranaryInvalidToken: { status: 401, message: 'A valid bearer token is needed.' },
  // bucket policies (S3's codes)
  NoSuchBucketPolicy: { status: 404, message: 'The bucket policy does not exist.' },
  MalformedPolicy: { status: 400, message: 'Policies must be valid JSON and the first byte must be \'{\'.' },
  // identity and access management (IAM's codes, used by the admin API too)
  NoSuchEntity: { status: 404, message: 'The request was rejected because it referenced an entity that does not exist.' },
  EntityAlreadyExists: { status: 409, message: 'The request was rejected because it attempted to create a resource that already exists.' },
  DeleteConflict: { status: 409, message: 'The request was rejected because it attempted to delete a resource that has attached subordinate entities.' },
  MalformedPolicyDocument: { status: 400, message: 'The policy document is malformed.' },
  InvalidInput: { status: 400, message: 'The request was rejected because an invalid or out-of-range value was supplied for an input parameter.' },
  PasswordPolicyViolation: { status: 400, message: 'The provided password does not meet the password policy.' },
  // generic
  MalformedXML: { status: 400, message: 'The XML you provided was not well-formed or did not validate against our published schema.' },
  MalformedPOSTRequest: { status: 400, message: 'The body of your POST request is not well-formed multipart/form-data.' },
  MethodNotAllowed: { status: 405, message: 'The specified method is not allowed against this resource.' },
  PreconditionFailed: { status: 412, message: 'At least one of the preconditions you specified did not hold.' },
  NotModified: { status: 304, message: 'Not Modified.' },
  MissingContentLength: { status: 411, message: 'You must provide the Content-Length HTTP header.' },
  RequestHeaderSectionTooLarge: { status: 400, message: 'Your request header section exceeds the maximum allowed size.' },
  InvalidTag: { status: 400, message: 'The tag provided was not a valid tag.' },
  InvalidRequest: { status: 400, message: 'Invalid request.' },
  NotImplemented: { status: 501, message: 'A header or operation you provided implies functionality that is not implemented.' },
  InternalError: { status: 500, message: 'We encountered an internal error. Please try again.' },
} as const satisfies Record<string, { status: number; message: string }>;

export type ErrorCode = keyof typeof ERROR_TABLE;

export class GranaryError extends Error {
  readonly code: ErrorCode;
  readonly status: number;

  constructor(code: ErrorCode, message?: string, options?: { cause?: unknown }) {
    super(message ?? ERROR_TABLE[code].message, options);
    this.name = 'GranaryError';
    this.code = code;
    this.status = ERROR_TABLE[code].status;
  }
}

export function isGranaryError(err: unknown, code?: ErrorCode): err is GranaryError {
  return err instanceof GranaryError && (code === undefined || err.code === code);
}
