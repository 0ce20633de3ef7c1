import type { Endpoint, Route } from './router.js';

/**
 * The IAM action each S3 endpoint needs, as AWS documents it. `null` means
 * the handler asks per item (DeleteObjects asks for each key, CopyObject also
 * for its source) or that nothing is served (NotImplemented answers 501 to
 * whoever signed the request).
 */
const ACTIONS: Record<Endpoint, string | null> = {
  ListBuckets: null,
  CreateBucket: 's3:CreateBucket',
  HeadBucket: 's3:ListBucket',
  DeleteBucket: 's3:DeleteBucket',
  GetBucketLocation: 's3:GetBucketLocation',
  GetBucketPolicy: 's3:GetBucketPolicy',
  PutBucketPolicy: 's3:PutBucketPolicy',
  DeleteBucketPolicy: 's3:DeleteBucketPolicy',
  GetBucketPolicyStatus: 's3:GetBucketPolicyStatus',
  ListObjects: 's3:ListBucket',
  ListObjectsV2: 's3:ListBucket',
  ListMultipartUploads: 's3:ListBucketMultipartUploads',
  DeleteObjects: null,
  PostObject: null,
  PutObject: 's3:PutObject',
  CopyObject: 's3:PutObject',
  GetObject: 's3:GetObject',
  HeadObject: 's3:GetObject',
  DeleteObject: 's3:DeleteObject',
  GetObjectAttributes: 's3:GetObjectAttributes',
  PutObjectTagging: 's3:PutObjectTagging',
  GetObjectTagging: 's3:GetObjectTagging',
  DeleteObjectTagging: 's3:DeleteObjectTagging',
  CreateMultipartUpload: 's3:PutObject',
  UploadPart: 's3:PutObject',
  UploadPartCopy: 's3:PutObject',
  CompleteMultipartUpload: 's3:PutObject',
  AbortMultipartUpload: 's3:AbortMultipartUpload',
  ListParts: 's3:ListMultipartUploadParts',
  ServicePost: null,
  NotImplemented: null,
};

export function actionFor(route: Route): string | null {
  return ACTIONS[route.endpoint];
}

