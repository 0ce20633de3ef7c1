/**
 * Keys sort in UTF-8 byte order, as S3 lists them and as SQLite compares TEXT.
 * JavaScript's `<` compares UTF-16 code units, which puts U+E000–U+FFFF after
 * the surrogate pairs of U+10000 and above: wrong for listing. This compares
 * by code point, which is the same order as UTF-8 bytes.
 */
export function compareKeys(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x !== y) return fixup(x) - fixup(y);
  }
  return a.length - b.length;
}

/** Surrogates (U+D800–DFFF, only ever in pairs for U+10000+) move above U+E000–FFFF. */
function fixup(c: number): number {
  if (c >= 0xd800 && c <= 0xdfff) return c + 0x2000;
  if (c >= 0xe000) return c - 0x800;
  return c;
}

/** The least string greater than every string that starts with `prefix`; null when there is none. */
export function prefixUpperBound(prefix: string): string | null {
  const cps = Array.from(prefix, (ch) => ch.codePointAt(0)!);
  while (cps.length > 0) {
    const last = cps.pop()!;
    if (last < 0x10ffff) {
      cps.push(last + 1 === 0xd800 ? 0xe000 : last + 1);
      return String.fromCodePoint(...cps);
    }
  }
  return null;
}
