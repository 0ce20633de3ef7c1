import type { ConditionValue, OperatorName } from './operators.js';
import type { Template } from './variables.js';
import type { Glob } from './wildcard.js';

/**
 * A parsed, validated IAM policy: what `parsePolicy` returns and what the
 * evaluator reads. Nothing here is re-checked at request time, so a Policy
 * must only ever come from `parsePolicy` (or the built-ins, made by it).
 */
export interface Policy {
  /** For audit lines and decisions: the policy's name, or '(inline)'. */
  readonly name: string;
  /** 'identity': attached to users, groups, service accounts, sessions. 'resource': a bucket policy. */
  readonly kind: PolicyKind;
  readonly version: PolicyVersion;
  readonly id?: string;
  /** The bucket a resource policy belongs to; its statements never apply elsewhere. */
  readonly bucket?: string;
  readonly statements: readonly Statement[];
  /** The document as parsed (plain JSON), to store or show back. */
  readonly source: unknown;
}

export type PolicyKind = 'identity' | 'resource';

/** 2008-10-17 is accepted as AWS does: policy variables are then plain text. */
export type PolicyVersion = '2012-10-17' | '2008-10-17';

export type Effect = 'Allow' | 'Deny';

export interface Statement {
  readonly sid?: string;
  readonly effect: Effect;
  /** Action (not: false) or NotAction (not: true). */
  readonly action: { readonly not: boolean; readonly patterns: readonly ActionPattern[] };
  /** Resource / NotResource; 'any' only for identity statements whose actions are all admin: or sts:, written without one. */
  readonly resource: { readonly not: boolean; readonly patterns: readonly Template[] } | 'any';
  /** Principal / NotPrincipal: bucket policies only. */
  readonly principal?: PrincipalSet;
  /** All must hold. */
  readonly conditions: readonly Condition[];
}

export interface ActionPattern {
  /** As written. */
  readonly text: string;
  /** Lower-cased: action names are case-insensitive. */
  readonly glob: Glob;
}

export interface PrincipalSet {
  /** NotPrincipal. */
  readonly not: boolean;
  /** "*" or {"AWS": "*"}: everyone, anonymous included. */
  readonly anyone: boolean;
  /** User names from arn:aws:iam::<account>:user/<name>. */
  readonly users: readonly string[];
}

/** One key under one operator: `"StringLike": {"s3:prefix": ["home/", "pub/*"]}`. */
export interface Condition {
  /** As written, e.g. 'ForAnyValue:StringLikeIfExists'. */
  readonly operator: string;
  readonly test: OperatorName;
  readonly qualifier?: 'ForAnyValue' | 'ForAllValues';
  readonly ifExists: boolean;
  /** Canonical: lower-case, except a tag key after the '/'. */
  readonly key: string;
  readonly values: readonly ConditionValue[];
}

/** Where in a policy's text a refusal points: an index into the text as given, and its line and column (1-based). */
export interface PolicyPosition {
  offset: number;
  line: number;
  column: number;
}

/** Every refusal of a policy. The message names the offending part (`Statement[1].Action: …`). */
export class PolicyError extends Error {
  override name = 'PolicyError';
  /** Where the offending part starts in the document text, when the policy was read from text (parsePolicy sets it). */
  position?: PolicyPosition;

  constructor(message: string, position?: PolicyPosition) {
    super(message);
    if (position) this.position = position;
  }
}
