import { GranaryError } from '../common/errors.js';
import { s3Xml } from './xml.js';

/**
 * Any error as S3 answers it. An error that is not a GranaryError is a bug or
 * an unexpected failure: the client gets a plain 500 InternalError, the
 * details go to the log only.
 */
export function toS3Error(err: unknown): GranaryError {
  if (err instanceof GranaryError) return err;
  return new GranaryError('InternalError');
}

export function errorXml(err: GranaryError, resource: string, requestId: string): string {
  return s3Xml('Error', { Code: err.code, Message: err.message, Resource: resource, RequestId: requestId }, false);
}
