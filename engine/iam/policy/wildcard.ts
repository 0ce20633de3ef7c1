/**
 * IAM wildcards: `*` matches any run of characters (slashes and colons
 * included), `?` exactly one character. A compiled pattern is a list of
 * units: a literal code point, or one of the two wildcards. Characters are
 * code points, so `?` matches one emoji as it matches one letter.
 */
export const STAR = 0;
export const ONE = 1;
export type GlobUnit = string | typeof STAR | typeof ONE;
export type Glob = readonly GlobUnit[];

/** `*` and `?` are wildcards; everything else is literal. */
export function compileGlob(pattern: string): Glob {
  return Array.from(pattern, (ch) => (ch === '*' ? STAR : ch === '?' ? ONE : ch));
}

/** Every character literal, `*` and `?` included. */
export function literalGlob(text: string): Glob {
  return Array.from(text);
}

export function hasWildcard(glob: Glob): boolean {
  return glob.some((u) => u === STAR || u === ONE);
}

/**
 * Whether `text` matches. The usual backtracking scan: on a mismatch after a
 * `*`, let that star swallow one more character and retry. O(n·m) at worst,
 * and policies and request strings are small.
 */
export function globMatch(glob: Glob, text: string): boolean {
  const t = Array.from(text);
  let p = 0;
  let i = 0;
  let starP = -1;
  let starI = 0;
  while (i < t.length) {
    const u = glob[p];
    if (p < glob.length && (u === ONE || u === t[i])) {
      p++;
      i++;
    } else if (p < glob.length && u === STAR) {
      starP = p++;
      starI = i;
    } else if (starP >= 0) {
      p = starP + 1;
      i = ++starI;
    } else {
      return false;
    }
  }
  while (p < glob.length && glob[p] === STAR) p++;
  return p === glob.length;
}
