import { XMLBuilder } from 'fast-xml-parser';
import type { S3Reply } from '../s3/context.js';
import type { StsWireError } from './sts-error.js';

export const STS_NAMESPACE = 'https://sts.amazonaws.com/doc/2011-06-15/';

// The builder escapes text: subjects and session names taken from tokens cannot break the document.
const builder = new XMLBuilder({ ignoreAttributes: false, attributeNamePrefix: '@_', suppressEmptyNode: false, format: false });

function document(root: string, body: Record<string, unknown>): string {
  return builder.build({ '?xml': { '@_version': '1.0', '@_encoding': 'UTF-8' }, [root]: { '@_xmlns': STS_NAMESPACE, ...body } }) as string;
}

/** `<ActionResponse><ActionResult>…</ActionResult><ResponseMetadata><RequestId/></ResponseMetadata></ActionResponse>`. */
export function stsResultXml(action: string, result: Record<string, unknown>, requestId: string): string {
  return document(`${action}Response`, { [`${action}Result`]: result, ResponseMetadata: { RequestId: requestId } });
}

/** `<ErrorResponse><Error><Type/><Code/><Message/></Error><RequestId/></ErrorResponse>`, as AWS STS answers. */
export function stsErrorXml(err: StsWireError, requestId: string): string {
  return document('ErrorResponse', { Error: { Type: err.status >= 500 ? 'Receiver' : 'Sender', Code: err.code, Message: err.message }, RequestId: requestId });
}

export function stsReply(status: number, body: string, requestId: string): S3Reply {
  return { status, headers: { 'content-type': 'text/xml', 'x-amzn-requestid': requestId }, body };
}
