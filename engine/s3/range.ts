import { GranaryError } from '../common/errors.js';

/**
 * One byte range from a Range header (RFC 9110): `bytes=a-b`, `bytes=a-`,
 * `bytes=-n`. A header that does not parse, or asks for several ranges, is
 * ignored (the whole object is served), as HTTP says; one that parses but
 * cannot be satisfied is InvalidRange.
 */
export function parseRange(header: string | undefined, size: number): { start: number; end: number } | undefined {
  if (!header) return undefined;
  const m = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!m || (m[1] === '' && m[2] === '')) return undefined;
  let start: number;
  let end: number;
  if (m[1] === '') {
    const suffix = Number(m[2]);
    if (suffix === 0) throw unsatisfiable(header, size);
    start = Math.max(0, size - suffix);
    end = size - 1;
  } else {
    start = Number(m[1]);
    end = m[2] === '' ? size - 1 : Math.min(Number(m[2]), size - 1);
    if (m[2] !== '' && Number(m[2]) < start) return undefined;
  }
  if (start >= size || size === 0) throw unsatisfiable(header, size);
  return { start, end };
}

function unsatisfiable(header: string, size: number): GranaryError {
  return new GranaryError('InvalidRange', `The requested range ${header} is not satisfiable for an object of ${size} bytes.`);
}
