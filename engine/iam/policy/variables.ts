import { conditionKey } from './condition-keys.js';
import { PolicyError } from './policy.js';
import { ONE, STAR, type Glob, type GlobUnit } from './wildcard.js';

/**
 * Policy variables in Resource and in string and ARN condition values:
 * `${aws:username}`, `${jwt:sub}`, any condition key, optionally with a
 * default (`${aws:username, 'nobody'}`), and the escapes `${*}`, `${?}`, `${$}`
 * for a literal `*`, `?`, `$`. A value substituted in is always literal: a
 * user named `a*` matches only `a*`. A variable that cannot be resolved (key
 * absent, or carrying several values) without a default makes its whole
 * pattern match nothing, as AWS does.
 */
export type TemplatePart =
  | { readonly literal: string }
  | { readonly wildcard: typeof STAR | typeof ONE }
  | { readonly variable: string; readonly fallback?: string };

export interface Template {
  /** As written. */
  readonly text: string;
  readonly parts: readonly TemplatePart[];
  /** Precompiled when there is no variable to resolve. */
  readonly fixed?: Glob;
}

export interface TemplateOptions {
  /** `*` and `?` are wildcards (Resource, StringLike, ArnLike) rather than literal. */
  wildcards: boolean;
  /** Recognise `${…}`: only in Version 2012-10-17 policies. */
  variables: boolean;
}

const ESCAPES: Record<string, string> = { '*': '*', '?': '?', $: '$' };
const DEFAULT = /^([^,]*?)\s*,\s*'([^']*)'\s*$/s;

export function parseTemplate(text: string, opts: TemplateOptions): Template {
  const parts: TemplatePart[] = [];
  let lit = '';
  const flush = (): void => {
    if (lit) parts.push({ literal: lit });
    lit = '';
  };
  for (let i = 0; i < text.length; ) {
    const c = text[i];
    if (opts.variables && c === '$' && text[i + 1] === '{') {
      const end = text.indexOf('}', i + 2);
      if (end < 0) throw new PolicyError(`unterminated policy variable in ${JSON.stringify(text)} (write \${$} for a literal $)`);
      const inner = text.slice(i + 2, end);
      i = end + 1;
      if (Object.hasOwn(ESCAPES, inner)) {
        lit += ESCAPES[inner];
        continue;
      }
      const m = DEFAULT.exec(inner);
      const name = m ? m[1] : inner;
      if (name === '') throw new PolicyError(`empty policy variable in ${JSON.stringify(text)}`);
      const key = conditionKey(name);
      if (!key) throw new PolicyError(`unknown policy variable \${${name}} in ${JSON.stringify(text)}`);
      flush();
      parts.push(m ? { variable: key.key, fallback: m[2] } : { variable: key.key });
    } else if (opts.wildcards && (c === '*' || c === '?')) {
      flush();
      parts.push({ wildcard: c === '*' ? STAR : ONE });
      i++;
    } else {
      lit += c;
      i++;
    }
  }
  flush();
  const fixed = parts.every((p) => !('variable' in p)) ? toGlob(parts, () => undefined, false) : undefined;
  return fixed ? { text, parts, fixed } : { text, parts };
}

/**
 * The pattern with variables filled in from the request's condition keys, or
 * null when one cannot be resolved. `lower` lower-cases every character, for
 * case-insensitive comparison.
 */
export function resolveTemplate(t: Template, conditions: Readonly<Record<string, readonly string[]>>, lower = false): Glob | null {
  if (t.fixed && !lower) return t.fixed;
  return toGlob(t.parts, (key) => {
    const values = Object.hasOwn(conditions, key) ? conditions[key] : undefined;
    return values && values.length === 1 ? values[0] : undefined;
  }, lower);
}

/** As resolveTemplate, for templates without wildcards: the plain string. */
export function resolveLiteral(t: Template, conditions: Readonly<Record<string, readonly string[]>>): string | null {
  let out = '';
  for (const p of t.parts) {
    if ('literal' in p) out += p.literal;
    else if ('wildcard' in p) out += p.wildcard === STAR ? '*' : '?';
    else {
      const values = Object.hasOwn(conditions, p.variable) ? conditions[p.variable] : undefined;
      const v = values && values.length === 1 ? values[0] : p.fallback;
      if (typeof v !== 'string') return null;
      out += v;
    }
  }
  return out;
}

function toGlob(parts: readonly TemplatePart[], lookup: (key: string) => string | undefined, lower: boolean): Glob | null {
  const out: GlobUnit[] = [];
  const push = (s: string): void => {
    for (const ch of lower ? s.toLowerCase() : s) out.push(ch);
  };
  for (const p of parts) {
    if ('literal' in p) push(p.literal);
    else if ('wildcard' in p) out.push(p.wildcard);
    else {
      const v = lookup(p.variable) ?? p.fallback;
      if (typeof v !== 'string') return null;
      push(v);
    }
  }
  return out;
}
