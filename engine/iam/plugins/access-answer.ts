/**
 * An OPA-style answer: `{"result": true|false}` (OPA's data API with a
 * boolean rule) or `{"result": {"allow": true|false}}` (a rule package, as
 * MinIO's policy plugin accepts). Anything else is no answer, and no
 * answer means deny.
 */
export function parseAccessAnswer(answer: unknown): boolean | undefined {
  if (typeof answer !== 'object' || answer === null || Array.isArray(answer)) return undefined;
  const result = (answer as Record<string, unknown>).result;
  if (typeof result === 'boolean') return result;
  if (typeof result === 'object' && result !== null && !Array.isArray(result)) {
    const allow = (result as Record<string, unknown>).allow;
    if (typeof allow === 'boolean') return allow;
  }
  return undefined;
}
