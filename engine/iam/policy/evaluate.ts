import { conditionHolds } from './operators.js';
import type { Policy, PrincipalSet, Statement } from './policy.js';
import { resolveTemplate } from './variables.js';
import { globMatch } from './wildcard.js';

export interface RequestContext {
  /** e.g. 's3:GetObject'; compared case-insensitively. */
  action: string;
  /** 'arn:aws:s3:::bucket/key', 'arn:aws:s3:::bucket', or 'arn:aws:s3:::*' for account-wide and admin requests. */
  resource: string;
  /** Condition keys, lower-cased except the part after '/' in tag keys; values as string arrays. */
  conditions: Record<string, string[]>;
  /** Who asks, for Principal matching in bucket policies. */
  principal: { anonymous: true } | { anonymous: false; arn: string; username: string };
}

export type Decision = { effect: 'Allow' | 'Deny'; policy: string; sid?: string; statement: number } | { effect: 'None' };

/**
 * What one policy says about one request. A statement applies when its
 * action, principal (bucket policies), resource and every condition match;
 * an applicable Deny wins over any Allow, and the first applicable statement
 * of the winning effect is reported. 'None' when nothing applies.
 *
 * Never throws. Should a statement's evaluation fail all the same, it counts
 * as applying if it is a Deny and as not applying if it is an Allow: the
 * failure can only ever take access away.
 */
export function evaluatePolicy(policy: Policy, req: RequestContext): Decision {
  try {
    let allow: Decision | undefined;
    const action = req.action.toLowerCase();
    for (let i = 0; i < policy.statements.length; i++) {
      const st = policy.statements[i];
      let applies: boolean;
      try {
        applies = statementApplies(policy, st, req, action);
      } catch {
        applies = st.effect === 'Deny';
      }
      if (!applies) continue;
      const d: Decision = { effect: st.effect, policy: policy.name, ...(st.sid !== undefined ? { sid: st.sid } : {}), statement: i };
      if (st.effect === 'Deny') return d;
      allow ??= d;
    }
    return allow ?? { effect: 'None' };
  } catch {
    return { effect: 'Deny', policy: describe(policy), statement: -1 };
  }
}

/** `action` is the request's, lower-cased once for all statements. */
function statementApplies(policy: Policy, st: Statement, req: RequestContext, action: string): boolean {
  if (st.action.patterns.some((p) => globMatch(p.glob, action)) === st.action.not) return false;
  if (policy.kind === 'resource') {
    if (!st.principal || !principalMatches(st.principal, req.principal)) return false;
    // A bucket policy speaks for its own bucket only, whatever the caller passes it.
    if (!inBucket(req.resource, policy.bucket)) return false;
  }
  if (st.resource !== 'any') {
    const hit = st.resource.patterns.some((t) => {
      const glob = resolveTemplate(t, req.conditions);
      return glob !== null && globMatch(glob, req.resource);
    });
    if (hit === st.resource.not) return false;
  }
  return st.conditions.every((c) => conditionHolds(c, req.conditions));
}

function principalMatches(p: PrincipalSet, who: RequestContext['principal']): boolean {
  const named = p.anyone || (!who.anonymous && p.users.includes(who.username));
  return named !== p.not;
}

function inBucket(resource: string, bucket: string | undefined): boolean {
  if (bucket === undefined) return false;
  const arn = `arn:aws:s3:::${bucket}`;
  return resource === arn || resource.startsWith(`${arn}/`);
}

function describe(policy: unknown): string {
  const name = (policy as { name?: unknown } | null)?.name;
  return typeof name === 'string' ? name : '(unreadable policy)';
}
