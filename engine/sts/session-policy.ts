import { parsePolicy, PolicyError } from '../iam/policy/parse.js';
import { StsError } from './sts-error.js';

/** AWS's limit on the Policy parameter, in characters. */
export const MAX_SESSION_POLICY_CHARS = 2048;

/** The optional session policy (Policy parameter): strictly parsed like any identity policy. */
export function sessionPolicy(text: string | null): string | undefined {
  if (text === null || text === '') return undefined;
  if (text.length > MAX_SESSION_POLICY_CHARS) {
    throw new StsError('ValidationError', `1 validation error detected: Value at 'policy' failed to satisfy constraint: Member must have length less than or equal to ${MAX_SESSION_POLICY_CHARS}.`);
  }
  try {
    parsePolicy(text, 'identity', { name: 'session policy' });
  } catch (err) {
    if (err instanceof PolicyError) throw new StsError('MalformedPolicyDocument', `The session policy is refused: ${err.message}`);
    throw err;
  }
  return text;
}
