import { compileActionPattern } from './actions.js';
import { conditionKey } from './condition-keys.js';
import { compileValue, operatorFamily, parseOperator } from './operators.js';
import { PolicyError, type PolicyPosition, type ActionPattern, type Condition, type Policy, type PolicyKind, type PolicyVersion, type PrincipalSet, type Statement } from './policy.js';
import { JsonSyntaxError, lineAndColumn, parseStrictJson, type JsonObject, type JsonPositions, type JsonValue } from './strict-json.js';
import { parseTemplate, type Template } from './variables.js';

export { PolicyError } from './policy.js';

/**
 * Size limit, in UTF-8 bytes of the text as given (whitespace counts). AWS
 * allows 2,048 characters for inline user policies, 6,144 for managed ones
 * and 20 KiB for bucket policies; one generous 20 KiB limit serves both kinds
 * here, since a Granary deployment writes its policies itself.
 */
export const MAX_POLICY_BYTES = 20 * 1024;

export interface ParseOptions {
  /** For decisions and audit lines; default '(inline)'. */
  name?: string;
  /** Required for 'resource' (bucket) policies: every Resource must lie in this bucket. */
  bucket?: string;
}

const VERSIONS: readonly PolicyVersion[] = ['2012-10-17', '2008-10-17'];
const TOP_FIELDS = ['Version', 'Id', 'Statement'];
const STATEMENT_FIELDS = ['Sid', 'Effect', 'Action', 'NotAction', 'Resource', 'NotResource', 'Principal', 'NotPrincipal', 'Condition'];
const S3_ARN = 'arn:aws:s3:::';
const IAM_USER = /^arn:aws:iam::(\d{12})?:user\/([A-Za-z0-9_+=,.@-]{1,128})$/;

/**
 * Reads and checks a policy document: a JSON string, or an already-parsed
 * value (which is serialized and read the same way). Anything wrong is
 * refused with a PolicyError naming the part; nothing else is ever thrown.
 *
 * Beyond AWS's grammar: Version is required; duplicate JSON keys are refused;
 * actions and condition keys must be known; identity statements may omit
 * Resource only when every action is admin: or sts: (as MinIO's admin
 * statements do); a bucket policy's resources must all lie in its bucket.
 */
export function parsePolicy(input: unknown, kind: PolicyKind, opts: ParseOptions = {}): Policy {
  try {
    return read(input, kind, opts ?? {});
  } catch (err) {
    if (err instanceof PolicyError) throw err;
    // Not reached by any input the tests know of; kept so the promise holds.
    throw new PolicyError(`internal error while reading the policy: ${err instanceof Error ? err.message : String(err)}`);
  }
}

function read(input: unknown, kind: PolicyKind, opts: ParseOptions): Policy {
  if (kind !== 'identity' && kind !== 'resource') throw new PolicyError(`unknown policy kind ${JSON.stringify(String(kind))}`);
  const name = opts.name ?? '(inline)';
  if (typeof name !== 'string') throw new PolicyError('the policy name must be a string');
  const bucket = opts.bucket;
  if (kind === 'resource' && (typeof bucket !== 'string' || bucket === '' || /[/*?$]/.test(bucket))) {
    throw new PolicyError('a bucket policy must be parsed for a bucket (opts.bucket)');
  }
  const text = documentText(input);
  // A byte-order mark was dropped: positions count from the text as given.
  const shift = typeof input === 'string' && input.charCodeAt(0) === 0xfeff ? 1 : 0;
  const loc = new Locator(text, new WeakMap(), shift);
  let doc: JsonValue;
  try {
    doc = parseStrictJson(text, loc.positions);
  } catch (err) {
    if (err instanceof JsonSyntaxError) throw new PolicyError(`malformed JSON: ${err.message}`, loc.at(err.offset));
    throw err;
  }
  try {
    return checked(doc, kind, name, bucket, text, loc);
  } catch (err) {
    // Nothing more precise known: the document's first character.
    if (err instanceof PolicyError && !err.position) err.position = loc.at(0);
    throw err;
  }
}

function checked(doc: JsonValue, kind: PolicyKind, name: string, bucket: string | undefined, text: string, loc: Locator): Policy {
  const top = object(doc, 'the policy');
  for (const k of Object.keys(top)) if (!TOP_FIELDS.includes(k)) throw loc.error(top, k, `unknown top-level field ${JSON.stringify(k)}${hint(k, TOP_FIELDS)}`);
  if (!Object.hasOwn(top, 'Version')) throw new PolicyError('Version is required: "2012-10-17"');
  const version = top.Version;
  if (typeof version !== 'string' || !VERSIONS.includes(version as PolicyVersion)) {
    throw loc.error(top, 'Version', `Version must be "2012-10-17" (or the older "2008-10-17"), not ${JSON.stringify(version)}`);
  }
  const id = top.Id;
  if (id !== undefined && typeof id !== 'string') throw loc.error(top, 'Id', 'Id must be a string');
  if (!Object.hasOwn(top, 'Statement')) throw new PolicyError('Statement is required');
  const raw = top.Statement;
  const list = Array.isArray(raw) ? raw : [raw];
  if (list.length === 0) throw loc.error(top, 'Statement', 'Statement is empty');
  const ctx: Ctx = { kind, variables: version === '2012-10-17', bucket, loc };
  const statements = loc.within(top, 'Statement', () =>
    list.map((s, i) => (Array.isArray(raw) ? loc.within(raw, i, () => statement(s, `Statement[${i}]`, ctx)) : statement(s, 'Statement', ctx))),
  );
  return {
    name,
    kind,
    version: version as PolicyVersion,
    ...(id !== undefined ? { id } : {}),
    ...(kind === 'resource' ? { bucket } : {}),
    statements,
    source: JSON.parse(text),
  };
}

interface Ctx {
  kind: PolicyKind;
  variables: boolean;
  bucket?: string;
  loc: Locator;
}

/**
 * Turns "this member of that object" into a place in the text, so a refusal
 * found after parsing still says on which line the offending part starts.
 * Checks run inside `within` for each member they descend into; the
 * innermost one that knows a position wins.
 */
class Locator {
  constructor(
    private readonly text: string,
    readonly positions: JsonPositions,
    private readonly shift: number,
  ) {}

  at(offset: number): PolicyPosition {
    const { line, column } = lineAndColumn(this.text, offset);
    return { offset: offset + this.shift, line, column: line === 1 ? column + this.shift : column };
  }

  of(container: unknown, member: string | number): PolicyPosition | undefined {
    if (typeof container !== 'object' || container === null) return undefined;
    const offset = this.positions.get(container)?.get(String(member));
    return offset === undefined ? undefined : this.at(offset);
  }

  error(container: unknown, member: string | number, message: string): PolicyError {
    return new PolicyError(message, this.of(container, member));
  }

  within<T>(container: unknown, member: string | number, check: () => T): T {
    try {
      return check();
    } catch (err) {
      if (err instanceof PolicyError && !err.position) {
        const p = this.of(container, member);
        if (p) err.position = p;
      }
      throw err;
    }
  }
}

function documentText(input: unknown): string {
  let text: string | undefined;
  if (typeof input === 'string') {
    text = input;
  } else {
    try {
      text = JSON.stringify(input);
    } catch (err) {
      throw new PolicyError(`the policy is not JSON: ${err instanceof Error ? err.message : String(err)}`);
    }
    if (typeof text !== 'string') throw new PolicyError(`the policy is not JSON (got ${typeof input})`);
  }
  const bytes = Buffer.byteLength(text, 'utf8');
  if (bytes > MAX_POLICY_BYTES) throw new PolicyError(`the policy is ${bytes} bytes; the limit is ${MAX_POLICY_BYTES} (20 KiB)`);
  // A byte-order mark is tolerated (editors on Windows add one).
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

function statement(raw: JsonValue, path: string, ctx: Ctx): Statement {
  const { loc } = ctx;
  const s = object(raw, path);
  for (const k of Object.keys(s)) if (!STATEMENT_FIELDS.includes(k)) throw loc.error(s, k, `${path}: unknown field ${JSON.stringify(k)}${hint(k, STATEMENT_FIELDS)}`);
  const sid = s.Sid;
  if (sid !== undefined && typeof sid !== 'string') throw loc.error(s, 'Sid', `${path}.Sid must be a string`);
  if (s.Effect !== 'Allow' && s.Effect !== 'Deny') throw loc.error(s, 'Effect', `${path}.Effect must be "Allow" or "Deny", not ${s.Effect === undefined ? 'missing' : JSON.stringify(s.Effect)}`);
  const effect = s.Effect;

  const [actionField, actionRaw] = oneOf(s, 'Action', 'NotAction', path, true);
  const patterns = loc.within(s, actionField, () =>
    strings(actionRaw, `${path}.${actionField}`, loc).map((a, i) => loc.within(actionRaw, i, () => at(`${path}.${actionField}`, () => compileActionPattern(a)))),
  );
  const action = { not: actionField === 'NotAction', patterns };

  const resource = resources(s, path, ctx, action.not ? undefined : patterns);
  const principal = principals(s, path, ctx);
  const conditions = s.Condition === undefined ? [] : loc.within(s, 'Condition', () => conditionBlock(s.Condition!, `${path}.Condition`, ctx));
  return {
    ...(sid !== undefined ? { sid } : {}),
    effect,
    action,
    resource,
    ...(principal ? { principal } : {}),
    conditions,
  };
}

function resources(s: JsonObject, path: string, ctx: Ctx, actions: readonly ActionPattern[] | undefined): Statement['resource'] {
  const present = Object.hasOwn(s, 'Resource') || Object.hasOwn(s, 'NotResource');
  if (!present && ctx.kind === 'identity' && actions && actions.every((a) => /^(admin|sts):/i.test(a.text))) return 'any';
  if (!present) {
    throw new PolicyError(
      ctx.kind === 'identity'
        ? `${path} needs Resource or NotResource (only statements whose actions are all admin: or sts: may leave it out)`
        : `${path} needs Resource or NotResource`,
    );
  }
  const [field, raw] = oneOf(s, 'Resource', 'NotResource', path, true);
  const where = `${path}.${field}`;
  const { loc } = ctx;
  const patterns = loc.within(s, field, () => strings(raw, where, loc).map((r, i) => loc.within(raw, i, () => at(where, () => resourcePattern(r, ctx)))));
  return { not: field === 'NotResource', patterns };
}

function resourcePattern(text: string, ctx: Ctx): Template {
  if (text !== '*' && (!text.startsWith(S3_ARN) || text.length === S3_ARN.length)) {
    throw new PolicyError(`${JSON.stringify(text)} is not an S3 resource: write arn:aws:s3:::bucket, arn:aws:s3:::bucket/key-pattern or *`);
  }
  const t = parseTemplate(text, { wildcards: true, variables: ctx.variables });
  if (ctx.kind === 'resource' && !inBucket(t, ctx.bucket!)) {
    throw new PolicyError(`${JSON.stringify(text)} is outside the bucket ${JSON.stringify(ctx.bucket)}: a bucket policy may only name arn:aws:s3:::${ctx.bucket} and its objects`);
  }
  return t;
}

/** The bucket part must be spelled out: no wildcard or variable before the first '/'. */
function inBucket(t: Template, bucket: string): boolean {
  let head = '';
  for (const p of t.parts) {
    if (!('literal' in p)) break;
    head += p.literal;
  }
  const want = S3_ARN + bucket;
  if (head === want) return t.parts.every((p) => 'literal' in p);
  return head.startsWith(`${want}/`);
}

function principals(s: JsonObject, path: string, ctx: Ctx): PrincipalSet | undefined {
  const present = Object.hasOwn(s, 'Principal') || Object.hasOwn(s, 'NotPrincipal');
  if (ctx.kind === 'identity') {
    if (present) throw new PolicyError(`${path}: ${Object.hasOwn(s, 'Principal') ? 'Principal' : 'NotPrincipal'} is not allowed in an identity policy (it belongs in bucket policies)`);
    return undefined;
  }
  if (!present) throw new PolicyError(`${path} needs Principal or NotPrincipal in a bucket policy`);
  const [field, raw] = oneOf(s, 'Principal', 'NotPrincipal', path, true);
  return ctx.loc.within(s, field, () => principalSet(field, raw, path, ctx.loc));
}

function principalSet(field: string, raw: JsonValue | undefined, path: string, loc: Locator): PrincipalSet {
  const where = `${path}.${field}`;
  const forms = 'use "*", {"AWS": "*"} or {"AWS": ["arn:aws:iam::<account>:user/<name>", …]}';
  if (raw === '*') return { not: field === 'NotPrincipal', anyone: true, users: [] };
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new PolicyError(`${where} must be "*" or an object: ${forms}`);
  for (const k of Object.keys(raw)) if (k !== 'AWS') throw new PolicyError(`${where}: unsupported principal type ${JSON.stringify(k)}; ${forms}`);
  if (!Object.hasOwn(raw, 'AWS')) throw new PolicyError(`${where} is empty; ${forms}`);
  let anyone = false;
  const users: string[] = [];
  const listed = raw.AWS;
  for (const [i, p] of loc.within(raw, 'AWS', () => strings(listed, `${where}.AWS`, loc)).entries()) {
    if (p === '*') {
      anyone = true;
      continue;
    }
    const m = IAM_USER.exec(p);
    if (!m) throw new PolicyError(`${where}.AWS: unsupported principal ${JSON.stringify(p)}; ${forms}`, loc.of(listed, i) ?? loc.of(raw, 'AWS'));
    users.push(m[2]);
  }
  return { not: field === 'NotPrincipal', anyone, users };
}

function conditionBlock(raw: JsonValue, path: string, ctx: Ctx): Condition[] {
  const block = object(raw, path);
  const out: Condition[] = [];
  for (const [operator, body] of Object.entries(block)) ctx.loc.within(block, operator, () => conditionOperator(operator, body, path, ctx, out));
  return out;
}

function conditionOperator(operator: string, body: JsonValue, path: string, ctx: Ctx, out: Condition[]): void {
  const { loc } = ctx;
  const where = `${path}.${operator}`;
  const op = parseOperator(operator);
  if (!op) throw new PolicyError(`${path}: unknown condition operator ${JSON.stringify(operator)}`);
  if (op.test === 'Null' && op.ifExists) throw new PolicyError(`${path}: ${JSON.stringify(operator)}: Null has no IfExists form`);
  const keys = object(body, where);
  if (Object.keys(keys).length === 0) throw new PolicyError(`${where} names no condition key`);
  const seen = new Set<string>();
  for (const [name, values] of Object.entries(keys)) loc.within(keys, name, () => {
    const key = conditionKey(name);
    if (!key) throw new PolicyError(`${where}: unknown condition key ${JSON.stringify(name)}`);
    if (seen.has(key.key)) throw new PolicyError(`${where}: the condition key ${JSON.stringify(name)} appears twice (keys are case-insensitive)`);
    seen.add(key.key);
    const family = operatorFamily(op.test);
    if (family === 'IPAddress' && key.type !== 'IPAddress') throw new PolicyError(`${where}: ${op.test} tests IP addresses, and ${JSON.stringify(name)} is not one (use aws:SourceIp)`);
    const here = `${where}.${JSON.stringify(name)}`;
    const list = Array.isArray(values) ? values : [values];
    if (list.length === 0) throw new PolicyError(`${here} lists no values`);
    const compiled = list.map((v, j) => {
      if (typeof v !== 'string' && typeof v !== 'number' && typeof v !== 'boolean') throw loc.error(values, j, `${here}: values must be strings, numbers or booleans, not ${JSON.stringify(v)}`);
      try {
        return compileValue(op.test, v, ctx.variables);
      } catch (err) {
        if (err instanceof PolicyError) throw new PolicyError(`${here}: ${err.message}`, loc.of(values, j));
        throw err;
      }
    });
    out.push({ operator, ...op, key: key.key, values: compiled });
  });
}

// ---- small readers -------------------------------------------------------------

function object(v: JsonValue | undefined, what: string): JsonObject {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new PolicyError(`${what} must be a JSON object`);
  return v;
}

/** A string or a non-empty array of strings. */
function strings(v: JsonValue | undefined, what: string, loc?: Locator): string[] {
  if (typeof v === 'string') return [v];
  if (!Array.isArray(v)) throw new PolicyError(`${what} must be a string or an array of strings`);
  if (v.length === 0) throw new PolicyError(`${what} is empty`);
  return v.map((x, i) => {
    if (typeof x !== 'string') throw new PolicyError(`${what}[${i}] must be a string, not ${JSON.stringify(x)}`, loc?.of(v, i));
    return x;
  });
}

/** Exactly one of two exclusive fields. */
function oneOf(s: JsonObject, a: string, b: string, path: string, required: boolean): [string, JsonValue | undefined] {
  const hasA = Object.hasOwn(s, a);
  const hasB = Object.hasOwn(s, b);
  if (hasA && hasB) throw new PolicyError(`${path} has both ${a} and ${b}; use one`);
  if (!hasA && !hasB && required) throw new PolicyError(`${path} needs ${a} or ${b}`);
  return hasB ? [b, s[b]] : [a, s[a]];
}

/** Runs a check, putting `path` in front of the message of what it refuses. */
function at<T>(path: string, f: () => T): T {
  try {
    return f();
  } catch (err) {
    if (err instanceof PolicyError) throw new PolicyError(`${path}: ${err.message}`, err.position);
    throw err;
  }
}

function hint(k: string, known: readonly string[]): string {
  const near = known.find((f) => f.toLowerCase() === k.toLowerCase() || f.toLowerCase() === k.toLowerCase().replace(/s$/, ''));
  return near ? ` (did you mean ${JSON.stringify(near)}?)` : '';
}
