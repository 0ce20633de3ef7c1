/**
 * RFC 4515 §3: a value inside a filter has `*`, `(`, `)`, `\` and NUL
 * written as `\XX`, so a user name such as `*)(uid=*` stays one literal
 * value and never becomes filter syntax.
 */
export function escapeFilterValue(value: string): string {
  return value.replace(/[\\*()\0]/g, (c) => `\\${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
}

/**
 * A configured filter template with its placeholders filled (MinIO's
 * convention): `%s` is the user name, `%d` the user's DN; both escaped.
 */
export function fillFilter(template: string, values: { username: string; dn?: string }): string {
  return template.replace(/%[sd]/g, (p) => escapeFilterValue(p === '%s' ? values.username : values.dn ?? ''));
}

/**
 * One spelling per DN, so policies attached by DN match whatever case and
 * spacing the directory returns: lower case, no blanks around unescaped `,`,
 * `+` and `=`.
 */
export function normalizeDn(dn: string): string {
  return dn.trim().replace(/\s*(?<!\\)([,+=])\s*/g, '$1').toLowerCase();
}
