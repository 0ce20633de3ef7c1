import { XMLBuilder, XMLParser } from 'fast-xml-parser';
import { GranaryError } from '../common/errors.js';

const S3_NS = 'http://s3.amazonaws.com/doc/2006-03-01/';

const builder = new XMLBuilder({ ignoreAttributes: false, attributeNamePrefix: '@_', suppressEmptyNode: false, format: false });

/** An S3 XML document: `<Root xmlns="…">…</Root>` with the XML declaration. */
export function s3Xml(root: string, body: Record<string, unknown>, namespace = true): string {
  const doc = { '?xml': { '@_version': '1.0', '@_encoding': 'UTF-8' }, [root]: namespace ? { '@_xmlns': S3_NS, ...body } : body };
  return builder.build(doc) as string;
}

const parser = new XMLParser({
  ignoreAttributes: true,
  parseTagValue: false,
  // Keys may begin or end with spaces: values are kept as sent.
  trimValues: false,
  processEntities: true,
  // Go clients (rclone, MinIO's) escape quotes as &#34;: numeric references must decode.
  htmlEntities: true,
  ignoreDeclaration: true,
  // Names that may repeat are always arrays, so a one-element list reads like a long one.
  isArray: (name) => ['Part', 'Object', 'Tag', 'CommonPrefixes'].includes(name),
});

/** Parses a request body; anything not well-formed is S3's MalformedXML. */
export function parseXml(text: string): Record<string, unknown> {
  if (text.includes('<!DOCTYPE') || text.includes('<!ENTITY')) throw new GranaryError('MalformedXML', 'Document type declarations are not accepted.');
  let doc: unknown;
  try {
    doc = parser.parse(text, true);
  } catch (err) {
    throw new GranaryError('MalformedXML', `The XML you provided was not well-formed: ${(err as Error).message}`);
  }
  if (!doc || typeof doc !== 'object') throw new GranaryError('MalformedXML');
  return doc as Record<string, unknown>;
}

/** A required child element of a parsed node, or MalformedXML naming it. */
export function child(node: unknown, name: string): unknown {
  if (!node || typeof node !== 'object' || !(name in node)) throw new GranaryError('MalformedXML', `The XML is missing the element <${name}>.`);
  return (node as Record<string, unknown>)[name];
}

export function text(node: unknown, name: string): string {
  const v = child(node, name);
  if (typeof v !== 'string') throw new GranaryError('MalformedXML', `The element <${name}> must hold text.`);
  return v;
}

export function iso(d: Date): string {
  return d.toISOString();
}
