import { createHash } from 'node:crypto';

/** S3's multipart ETag: MD5 of the parts' binary MD5s, then "-" and the part count. */
export function multipartEtag(partEtags: string[]): string {
  const h = createHash('md5');
  for (const e of partEtags) h.update(Buffer.from(e, 'hex'));
  return `${h.digest('hex')}-${partEtags.length}`;
}

/** Clients send ETags quoted or not, sometimes in upper case. */
export function normalizeEtag(etag: string): string {
  return etag.trim().replace(/^"(.*)"$/, '$1').toLowerCase();
}
