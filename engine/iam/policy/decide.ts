import { evaluatePolicy, type Decision, type RequestContext } from './evaluate.js';
import type { Policy } from './policy.js';

export interface DecideInput {
  /** The policies of the user and their groups; empty for anonymous requests. */
  identity: readonly Policy[];
  /** The bucket policy of the bucket the request is about, if it has one. */
  bucket?: Policy;
  /**
   * Groups that narrow what identity allows (a service account's inline
   * policy, an STS session policy): each group must have a policy that
   * allows too. An empty group allows nothing.
   */
  intersect?: readonly (readonly Policy[])[];
}

export interface FinalDecision {
  allowed: boolean;
  /** The statement that decided: the Deny that refused, or the Allow that granted. */
  decidedBy?: { policy: string; sid?: string; statement: number; effect: 'Allow' | 'Deny' };
  /** One sentence for audit logs. */
  reason: string;
}

type Decided = Extract<Decision, { effect: 'Allow' | 'Deny' }>;

/**
 * AWS's evaluation, for one account: an explicit Deny anywhere refuses; else
 * the request needs an Allow from an identity policy or from the bucket
 * policy (which is how anonymous requests get in), and, for each intersect
 * group, an Allow from some policy in it. Without an Allow, the answer is an
 * implicit deny. Never throws: if anything fails, the request is refused.
 */
export function decide(input: DecideInput, req: RequestContext): FinalDecision {
  try {
    return decideOrThrow(input, req);
  } catch {
    return { allowed: false, reason: 'Denied: the policies could not be evaluated.' };
  }
}

function decideOrThrow(input: DecideInput, req: RequestContext): FinalDecision {
  const what = `${req.action} on ${req.resource}`;
  const identity = input.identity.map((p) => evaluatePolicy(p, req));
  const bucket = input.bucket ? evaluatePolicy(input.bucket, req) : undefined;
  const groups = (input.intersect ?? []).map((g) => g.map((p) => evaluatePolicy(p, req)));

  const deny = [...identity, ...(bucket ? [bucket] : []), ...groups.flat()].find((d): d is Decided => d.effect === 'Deny');
  if (deny) return { allowed: false, decidedBy: by(deny), reason: `Denied: ${cite(deny)} explicitly denies ${what}.` };

  const allow = [...identity, ...(bucket ? [bucket] : [])].find((d): d is Decided => d.effect === 'Allow');
  if (!allow) return { allowed: false, reason: `Denied: no policy allows ${what}.` };

  for (let g = 0; g < groups.length; g++) {
    if (!groups[g].some((d) => d.effect === 'Allow')) {
      const names = (input.intersect ?? [])[g].map((p) => `"${p.name}"`);
      const narrowing = names.length === 0 ? 'an empty restricting policy group allows nothing' : names.length === 1 ? `the restricting policy ${names[0]} does not` : `none of the restricting policies ${names.join(', ')} does`;
      return { allowed: false, reason: `Denied: ${cite(allow)} allows ${what}, but ${narrowing}.` };
    }
  }
  return { allowed: true, decidedBy: by(allow), reason: `Allowed: ${cite(allow)} allows ${what}.` };
}

function by(d: Decided): NonNullable<FinalDecision['decidedBy']> {
  return { policy: d.policy, ...(d.sid !== undefined ? { sid: d.sid } : {}), statement: d.statement, effect: d.effect };
}

function cite(d: Decided): string {
  return `Statement[${d.statement}]${d.sid ? ` (Sid ${JSON.stringify(d.sid)})` : ''} of policy "${d.policy}"`;
}
