import type { KeyType } from './condition-keys.js';
import { cidrContains, parseCidr, parseIp, type Cidr } from './ip-address.js';
import { PolicyError, type Condition } from './policy.js';
import { parseTemplate, resolveLiteral, resolveTemplate, type Template } from './variables.js';
import { globMatch, type Glob } from './wildcard.js';

/**
 * Condition operators, with AWS's semantics:
 *
 * - The values listed for one key are alternatives: a positive operator holds
 *   when a request value matches any of them; a negated one (StringNotEquals,
 *   NotIpAddress, …) when no request value matches any of them.
 * - Key absent from the request (or an empty set): positive operators fail,
 *   negated ones hold, `…IfExists` holds, `ForAllValues:` holds, `ForAnyValue:`
 *   fails (unless IfExists). `Null` tests presence itself.
 * - `ForAnyValue:` holds when at least one request value passes, and
 *   `ForAllValues:` when every one does, where a value passes a negated
 *   operator when it matches none of the listed values.
 * - A request value of the wrong shape (a date operator given "abc") matches
 *   nothing; so it passes negated operators.
 */
export const OPERATORS = {
  StringEquals: { family: 'String', negated: false },
  StringNotEquals: { family: 'String', negated: true },
  StringEqualsIgnoreCase: { family: 'String', negated: false },
  StringNotEqualsIgnoreCase: { family: 'String', negated: true },
  StringLike: { family: 'String', negated: false },
  StringNotLike: { family: 'String', negated: true },
  NumericEquals: { family: 'Numeric', negated: false },
  NumericNotEquals: { family: 'Numeric', negated: true },
  NumericLessThan: { family: 'Numeric', negated: false },
  NumericLessThanEquals: { family: 'Numeric', negated: false },
  NumericGreaterThan: { family: 'Numeric', negated: false },
  NumericGreaterThanEquals: { family: 'Numeric', negated: false },
  DateEquals: { family: 'Date', negated: false },
  DateNotEquals: { family: 'Date', negated: true },
  DateLessThan: { family: 'Date', negated: false },
  DateLessThanEquals: { family: 'Date', negated: false },
  DateGreaterThan: { family: 'Date', negated: false },
  DateGreaterThanEquals: { family: 'Date', negated: false },
  Bool: { family: 'Bool', negated: false },
  BinaryEquals: { family: 'Binary', negated: false },
  IpAddress: { family: 'IPAddress', negated: false },
  NotIpAddress: { family: 'IPAddress', negated: true },
  ArnEquals: { family: 'ARN', negated: false },
  ArnNotEquals: { family: 'ARN', negated: true },
  ArnLike: { family: 'ARN', negated: false },
  ArnNotLike: { family: 'ARN', negated: true },
  Null: { family: 'Null', negated: false },
} as const satisfies Record<string, { family: KeyType | 'Null'; negated: boolean }>;

export type OperatorName = keyof typeof OPERATORS;

export type ConditionValue =
  | { readonly kind: 'template'; readonly template: Template }
  | { readonly kind: 'number'; readonly value: number }
  | { readonly kind: 'date'; readonly value: number }
  | { readonly kind: 'bool'; readonly value: boolean }
  | { readonly kind: 'binary'; readonly value: string }
  | { readonly kind: 'cidr'; readonly value: Cidr };

export interface ParsedOperator {
  readonly test: OperatorName;
  readonly qualifier?: 'ForAnyValue' | 'ForAllValues';
  readonly ifExists: boolean;
}

/** `ForAnyValue:StringLikeIfExists` → its parts; undefined when it is no operator. Names are case-sensitive. */
export function parseOperator(name: string): ParsedOperator | undefined {
  let rest = name;
  const qualifier = (['ForAnyValue', 'ForAllValues'] as const).find((q) => name.startsWith(`${q}:`));
  if (qualifier) rest = rest.slice(qualifier.length + 1);
  const ifExists = rest.endsWith('IfExists') && rest !== 'IfExists';
  if (ifExists) rest = rest.slice(0, -'IfExists'.length);
  if (!Object.hasOwn(OPERATORS, rest)) return undefined;
  const test = rest as OperatorName;
  return qualifier ? { test, qualifier, ifExists } : { test, ifExists };
}

export function operatorFamily(test: OperatorName): KeyType | 'Null' {
  return OPERATORS[test].family;
}

/**
 * One value listed in a policy, checked and compiled for its operator.
 * `variables` is false in 2008-10-17 policies, where `${…}` is plain text.
 */
export function compileValue(test: OperatorName, raw: string | number | boolean, variables: boolean): ConditionValue {
  const text = String(raw);
  const shown = JSON.stringify(raw);
  switch (OPERATORS[test].family) {
    case 'String': {
      const wildcards = test === 'StringLike' || test === 'StringNotLike';
      return { kind: 'template', template: parseTemplate(text, { wildcards, variables }) };
    }
    case 'ARN': {
      const template = parseTemplate(text, { wildcards: true, variables });
      const shape = template.parts.map((p) => ('literal' in p ? p.literal : 'x')).join('');
      if (!shape.startsWith('arn:') || shape.split(':').length < 6) throw new PolicyError(`${shown} is not an ARN (arn:partition:service:region:account:resource)`);
      return { kind: 'template', template };
    }
    case 'Numeric': {
      const n = parseNumber(text);
      if (n === undefined) throw new PolicyError(`${shown} is not a number`);
      return { kind: 'number', value: n };
    }
    case 'Date': {
      const ms = parseDate(text);
      if (ms === undefined) throw new PolicyError(`${shown} is not a date (ISO 8601, such as 2024-05-01T12:00:00Z, or epoch seconds)`);
      return { kind: 'date', value: ms };
    }
    case 'Bool':
    case 'Null': {
      const b = text.toLowerCase();
      if (b !== 'true' && b !== 'false') throw new PolicyError(`${shown} is not true or false`);
      return { kind: 'bool', value: b === 'true' };
    }
    case 'Binary': {
      if (!isBase64(text)) throw new PolicyError(`${shown} is not base64`);
      return { kind: 'binary', value: Buffer.from(text, 'base64').toString('base64') };
    }
    case 'IPAddress': {
      const cidr = parseCidr(text);
      if (!cidr) throw new PolicyError(`${shown} is not an IP address or CIDR block (such as 192.0.2.0/24 or 2001:db8::/32)`);
      return { kind: 'cidr', value: cidr };
    }
  }
}

/** Whether one condition holds for the request's condition keys. */
export function conditionHolds(c: Condition, conditions: Readonly<Record<string, readonly string[]>>): boolean {
  const values = Object.hasOwn(conditions, c.key) ? conditions[c.key] : undefined;
  const absent = values === undefined || values.length === 0;
  if (c.test === 'Null') return c.values.some((v) => v.kind === 'bool' && v.value === absent);
  if (absent) {
    if (c.ifExists || c.qualifier === 'ForAllValues') return true;
    if (c.qualifier === 'ForAnyValue') return false;
    return OPERATORS[c.test].negated;
  }
  const matchesAny = (s: string): boolean => c.values.some((v) => valueMatches(c.test, s, v, conditions));
  if (!OPERATORS[c.test].negated) return c.qualifier === 'ForAllValues' ? values.every(matchesAny) : values.some(matchesAny);
  return c.qualifier === 'ForAnyValue' ? values.some((s) => !matchesAny(s)) : values.every((s) => !matchesAny(s));
}

/** The positive test of the operator (StringNotEquals tests StringEquals and negates). */
function valueMatches(test: OperatorName, s: string, v: ConditionValue, conditions: Readonly<Record<string, readonly string[]>>): boolean {
  switch (v.kind) {
    case 'template':
      return templateMatches(test, s, v.template, conditions);
    case 'number': {
      const n = parseNumber(s);
      return n !== undefined && compare(test, n, v.value);
    }
    case 'date': {
      const ms = parseDate(s);
      return ms !== undefined && compare(test, ms, v.value);
    }
    case 'bool': {
      const b = s.toLowerCase();
      return (b === 'true' || b === 'false') && (b === 'true') === v.value;
    }
    case 'binary':
      return isBase64(s) && Buffer.from(s, 'base64').toString('base64') === v.value;
    case 'cidr': {
      const ip = parseIp(s);
      return ip !== undefined && cidrContains(v.value, ip);
    }
  }
}

function templateMatches(test: OperatorName, s: string, t: Template, conditions: Readonly<Record<string, readonly string[]>>): boolean {
  switch (test) {
    case 'StringEquals':
    case 'StringNotEquals':
      return resolveLiteral(t, conditions) === s;
    case 'StringEqualsIgnoreCase':
    case 'StringNotEqualsIgnoreCase': {
      const want = resolveLiteral(t, conditions);
      return want !== null && want.toLowerCase() === s.toLowerCase();
    }
    case 'StringLike':
    case 'StringNotLike': {
      const glob = resolveTemplate(t, conditions);
      return glob !== null && globMatch(glob, s);
    }
    default: {
      const glob = resolveTemplate(t, conditions);
      return glob !== null && arnMatches(glob, s);
    }
  }
}

/**
 * ArnEquals and ArnLike alike, as AWS: the six colon-separated parts are
 * compared one by one, each may hold wildcards, and the last (the resource)
 * may itself contain colons.
 */
function arnMatches(glob: Glob, arn: string): boolean {
  const want = splitArn<Glob[number]>([...glob], ':');
  const have = splitArn<string>(Array.from(arn), ':');
  if (!want || !have) return false;
  return want.every((part, i) => globMatch(part, have[i].join('')));
}

function splitArn<T>(units: T[], colon: T): T[][] | undefined {
  const out: T[][] = [[]];
  for (const u of units) {
    if (u === colon && out.length < 6) out.push([]);
    else out[out.length - 1].push(u);
  }
  return out.length === 6 && out[0].length === 3 ? out : undefined;
}

function compare(test: OperatorName, a: number, b: number): boolean {
  if (test.endsWith('LessThanEquals')) return a <= b;
  if (test.endsWith('LessThan')) return a < b;
  if (test.endsWith('GreaterThanEquals')) return a >= b;
  if (test.endsWith('GreaterThan')) return a > b;
  return a === b; // …Equals and …NotEquals (negated by the caller)
}

const NUMBER = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;

function parseNumber(s: string): number | undefined {
  if (!NUMBER.test(s)) return undefined;
  const n = Number(s);
  return Number.isFinite(n) ? n : undefined;
}

const ISO = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|[+-]\d{2}:?\d{2})?)?$/;

/** ISO 8601 (date, or date and time; UTC unless an offset is given) or whole epoch seconds; as milliseconds. */
export function parseDate(s: string): number | undefined {
  if (/^-?\d{1,12}$/.test(s)) return Number(s) * 1000;
  const m = ISO.exec(s);
  if (!m) return undefined;
  const [year, month, day, hour = 0, minute = 0, second = 0] = m.slice(1, 7).map((x) => (x === undefined ? undefined : Number(x)));
  const ms = m[7] ? Number(m[7].slice(0, 3).padEnd(3, '0')) : 0;
  if (month! < 1 || month! > 12 || hour > 23 || minute > 59 || second > 59) return undefined;
  // setUTCFullYear, not Date.UTC: that one reads years 0–99 as 1900–1999.
  const d = new Date(0);
  d.setUTCFullYear(year!, month! - 1, day!);
  d.setUTCHours(hour, minute, second, ms);
  if (d.getUTCDate() !== day || d.getUTCMonth() !== month! - 1) return undefined;
  const t = d.getTime();
  let offset = 0;
  if (m[8] && m[8] !== 'Z') {
    const z = m[8].replace(':', '');
    const oh = Number(z.slice(1, 3));
    const om = Number(z.slice(3, 5));
    if (oh > 23 || om > 59) return undefined;
    offset = (z[0] === '-' ? -1 : 1) * (oh * 60 + om) * 60_000;
  }
  return t - offset;
}

function isBase64(s: string): boolean {
  return s.length > 0 && s.length % 4 === 0 && /^[A-Za-z0-9+/]*={0,2}$/.test(s);
}
