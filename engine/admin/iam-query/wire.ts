import { XMLBuilder } from 'fast-xml-parser';
import type { S3Reply } from '../../s3/context.js';
import type { WireError } from './errors.js';

export const IAM_NAMESPACE = 'https://iam.amazonaws.com/doc/2010-05-08/';
/** Errors to a request signed for STS are answered in STS's namespace, which its clients expect. */
export const STS_NAMESPACE = 'https://sts.amazonaws.com/doc/2011-06-15/';

// The builder escapes &, <, >, " and ' in text: user-chosen names and policy text cannot break the document.
const builder = new XMLBuilder({ ignoreAttributes: false, attributeNamePrefix: '@_', suppressEmptyNode: false, format: false });

function document(root: string, namespace: string, body: Record<string, unknown>): string {
  return builder.build({ '?xml': { '@_version': '1.0', '@_encoding': 'UTF-8' }, [root]: { '@_xmlns': namespace, ...body } }) as string;
}

/**
 * `<XResponse><XResult>…</XResult><ResponseMetadata>…</ResponseMetadata></XResponse>`,
 * AWS's query-protocol envelope; actions without output have no Result element.
 */
export function resultXml(action: string, result: Record<string, unknown> | undefined, requestId: string): string {
  return document(`${action}Response`, IAM_NAMESPACE, {
    ...(result !== undefined ? { [`${action}Result`]: result } : {}),
    ResponseMetadata: { RequestId: requestId },
  });
}

/** `<ErrorResponse><Error><Type>Sender|Receiver</Type><Code/><Message/></Error><RequestId/></ErrorResponse>`. */
export function errorXml(err: WireError, requestId: string, namespace = IAM_NAMESPACE): string {
  return document('ErrorResponse', namespace, {
    Error: { Type: err.status >= 500 ? 'Receiver' : 'Sender', Code: err.code, Message: err.message },
    RequestId: requestId,
  });
}

export function xmlReply(status: number, body: string, requestId: string): S3Reply {
  return { status, headers: { 'content-type': 'text/xml', 'x-amzn-requestid': requestId }, body };
}

/** A query-protocol list: `<Name><member>…</member>…</Name>`. */
export function members(items: unknown[]): { member: unknown[] } {
  return { member: items };
}
