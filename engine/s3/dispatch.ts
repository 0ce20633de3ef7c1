import { GranaryError } from '../common/errors.js';
import type { S3Context, S3Reply } from './context.js';
import { createBucket, deleteBucket, getBucketLocation, headBucket, listBuckets } from './handlers/bucket.js';
import { deleteBucketPolicy, getBucketPolicy, getBucketPolicyStatus, putBucketPolicy } from './handlers/bucket-policy.js';
import { copyObject, uploadPartCopy } from './handlers/object-copy.js';
import { deleteObject, deleteObjects } from './handlers/object-delete.js';
import { getObject, headObject } from './handlers/object-get.js';
import { putObject } from './handlers/object-put.js';
import { getObjectAttributes } from './handlers/object-attributes.js';
import { deleteObjectTagging, getObjectTagging, putObjectTagging } from './handlers/tagging.js';
import { listMultipartUploads, listObjectsV1, listObjectsV2, listParts } from './handlers/list.js';
import { abortMultipartUpload, completeMultipartUpload, createMultipartUpload, uploadPart } from './handlers/multipart.js';
import type { Endpoint, Route } from './router.js';

type Handler = (ctx: S3Context) => Promise<S3Reply>;

/** Every endpoint the router names, mapped: a missing entry is a type error, not a 404 at run time. */
const HANDLERS: Record<Endpoint, Handler | null> = {
  ListBuckets: (ctx) => listBuckets(ctx, { id: 'granary', name: 'granary' }),
  GetBucketPolicy: getBucketPolicy,
  PutBucketPolicy: putBucketPolicy,
  DeleteBucketPolicy: deleteBucketPolicy,
  GetBucketPolicyStatus: getBucketPolicyStatus,
  CreateBucket: createBucket,
  HeadBucket: headBucket,
  DeleteBucket: deleteBucket,
  GetBucketLocation: getBucketLocation,
  ListObjects: listObjectsV1,
  ListObjectsV2: listObjectsV2,
  ListMultipartUploads: listMultipartUploads,
  DeleteObjects: deleteObjects,
  PostObject: null,
  PutObject: putObject,
  CopyObject: copyObject,
  GetObject: getObject,
  HeadObject: headObject,
  DeleteObject: deleteObject,
  GetObjectAttributes: getObjectAttributes,
  PutObjectTagging: putObjectTagging,
  GetObjectTagging: getObjectTagging,
  DeleteObjectTagging: deleteObjectTagging,
  CreateMultipartUpload: createMultipartUpload,
  UploadPart: uploadPart,
  UploadPartCopy: uploadPartCopy,
  CompleteMultipartUpload: completeMultipartUpload,
  AbortMultipartUpload: abortMultipartUpload,
  ListParts: listParts,
  ServicePost: null,
  NotImplemented: null,
};

export async function dispatch(ctx: S3Context, route: Route): Promise<S3Reply> {
  const handler = HANDLERS[route.endpoint];
  if (!handler) throw new GranaryError('NotImplemented', `${route.what ?? route.endpoint} is not implemented by Granary.`);
  return handler(ctx);
}
