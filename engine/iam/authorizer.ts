import type { IamService } from './iam-service.js';
import { principalArn, principalType, type Identity } from './identity.js';
import { decide, type FinalDecision } from './policy/decide.js';
import type { Policy } from './policy/policy.js';
import type { AccessPlugin } from './plugins/access-plugin.js';

/** One access question: an action on a resource, with the request's condition keys. */
export interface AccessRequest {
  action: string;
  bucket?: string;
  key?: string;
  /** Request-derived condition keys, lower-case names (`aws:sourceip`, `s3:prefix`, …); a function when costly to build, called only if policies are evaluated. */
  conditions: Record<string, string[]> | (() => Record<string, string[]>);
}

export interface AccessDecision extends FinalDecision {
  action: string;
  resource: string;
}

const ROOT_DECISION = { allowed: true, reason: 'root is allowed everything' } as const;

/**
 * The one place access is decided. Callers (S3, admin, IAM query API) name
 * the action and resource and pass the request's condition keys; this adds
 * the identity's keys, gathers the policies that apply and lets the policy
 * evaluator decide. Nothing above it compares policy text.
 */
export class Authorizer {
  /** With an access plugin (OPA or override), signed requests are decided by it, asynchronously; without one, nothing here awaits. */
  constructor(private readonly iam: IamService, private readonly plugin?: AccessPlugin) {}

  /**
   * The decision, synchronously when internal IAM decides (the fast path:
   * callers `await` it either way, which costs nothing more), a promise when
   * the access plugin is asked.
   */
  authorize(identity: Identity, req: AccessRequest): AccessDecision | Promise<AccessDecision> {
    const plugin = this.plugin;
    if (plugin !== undefined && identity.type !== 'anonymous' && (identity.type !== 'root' || plugin.decidesForRoot)) return this.askPlugin(plugin, identity, req);
    return this.decideInternally(identity, req);
  }

  private async askPlugin(plugin: AccessPlugin, identity: Exclude<Identity, { type: 'anonymous' }>, req: AccessRequest): Promise<AccessDecision> {
    const given = typeof req.conditions === 'function' ? req.conditions() : req.conditions;
    const verdict = await plugin.decide({
      account: identity.username,
      groups: identity.type === 'root' ? [] : this.iam.groupsFor(identity),
      action: req.action,
      bucket: req.bucket ?? '',
      object: req.key ?? '',
      conditions: { ...given, 'aws:principaltype': [principalType(identity)], 'aws:username': [identity.username] },
      owner: identity.type === 'root',
      claims: { accessKey: identity.accessKey, principalType: identity.type, ...(identity.type === 'serviceAccount' || identity.type === 'session' ? { parent: identity.username } : {}), ...(identity.type === 'session' ? { provider: identity.issuer } : {}) },
    });
    return { action: req.action, resource: resourceArn(req.bucket, req.key), ...verdict };
  }

  private decideInternally(identity: Identity, req: AccessRequest): AccessDecision {
    const resource = resourceArn(req.bucket, req.key);
    const base = { action: req.action, resource };
    const policies = this.iam.policiesFor(identity);
    if (policies === 'root') return { ...base, ...ROOT_DECISION };
    const bucket = req.bucket !== undefined ? this.iam.bucketPolicy(req.bucket) : undefined;
    const given = typeof req.conditions === 'function' ? req.conditions() : req.conditions;
    const conditions: Record<string, string[]> = { ...given, 'aws:principaltype': [principalType(identity)] };
    if (identity.type !== 'anonymous') {
      conditions['aws:username'] = [identity.username];
      conditions['aws:userid'] = [identity.username];
      const groups = this.iam.groupsFor(identity);
      if (groups.length) conditions['aws:groups'] = groups;
    }
    const arn = principalArn(identity);
    const principal = arn === undefined || identity.type === 'anonymous' ? { anonymous: true as const } : { anonymous: false as const, arn, username: identity.username };
    const decision = decide(
      { identity: policies.identity, ...(bucket ? { bucket } : {}), intersect: policies.intersect },
      { action: req.action, resource, conditions, principal },
    );
    return { ...base, ...decision };
  }

  /** Whether deciding for this bucket may read the object's existing tags: then the caller fetches them first. */
  needsExistingTags(identity: Identity, bucket: string): boolean {
    const policies = this.iam.policiesFor(identity);
    if (policies === 'root') return false;
    const all: (Policy | undefined)[] = [...policies.identity, ...policies.intersect.flat(), this.iam.bucketPolicy(bucket)];
    return all.some((p) => p !== undefined && readsExistingTags(p));
  }
}

const existingTagReaders = new WeakMap<Policy, boolean>();

/** Policies are immutable once parsed, so the answer is kept per policy object. */
function readsExistingTags(p: Policy): boolean {
  let v = existingTagReaders.get(p);
  if (v === undefined) {
    v = JSON.stringify(p.source).toLowerCase().includes('s3:existingobjecttag');
    existingTagReaders.set(p, v);
  }
  return v;
}

export function resourceArn(bucket?: string, key?: string): string {
  if (bucket === undefined) return 'arn:aws:s3:::*';
  return key === undefined ? `arn:aws:s3:::${bucket}` : `arn:aws:s3:::${bucket}/${key}`;
}
