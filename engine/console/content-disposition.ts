/**
 * `attachment; filename="…"; filename*=UTF-8''…` for the last segment of a
 * key: the quoted form is a plain-ASCII fallback, the starred form (RFC 6266
 * / 8187) carries the real name.
 */
export function attachmentDisposition(key: string): string {
  const base = key.split('/').filter((s) => s !== '').pop() ?? 'download';
  const ascii = base.replace(/[^\x20-\x7e]|["\\%;]/g, '_');
  const star = encodeURIComponent(base).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  return `attachment; filename="${ascii}"; filename*=UTF-8''${star}`;
}
