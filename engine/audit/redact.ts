/** Field names whose values never reach an audit entry. */
const SECRET_FIELDS = new Set(['secretKey', 'secret', 'recovery', 'authToken']);

export const REDACTED = '[redacted]';

/**
 * An IAM record as an audit entry may show it: secret keys, MFA seeds and
 * recovery codes, and the values of engine secrets are replaced by a marker
 * (so a reader still sees that one was set or changed).
 */
export function redactRecord(entity: string, record: unknown): unknown {
  if (record === null || record === undefined || typeof record !== 'object') return record ?? null;
  const out: Record<string, unknown> = { ...(record as Record<string, unknown>) };
  for (const k of Object.keys(out)) if (SECRET_FIELDS.has(k) && out[k] !== undefined) out[k] = REDACTED;
  if (entity === 'secret' && 'value' in out) out.value = REDACTED;
  return out;
}
