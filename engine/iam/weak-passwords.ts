/**
 * Passwords that appear at the top of every breach list, and the defaults of
 * object stores. Compared case-insensitively, also with trailing digits and
 * symbols stripped ("Password123!" is "password").
 */
const WEAK = new Set([
  'minioadmin', 'minio123', 'granary', 'granaryadmin', 'admin', 'administrator', 'root', 'toor', 'password', 'passw0rd', 'p@ssw0rd', 'p@ssword',
  'letmein', 'welcome', 'qwerty', 'qwertyuiop', 'asdfghjkl', 'zxcvbnm', 'iloveyou', 'monkey', 'dragon', 'football', 'baseball', 'superman',
  'changeme', 'default', 'secret', 'master', 'shadow', 'sunshine', 'princess', 'trustno1', 'abc123', 'access', 'login', 'starwars',
  'secretkey', 'accesskey', 'wjalrxutnfemi/k7mdeng/bpxrficyexamplekey', 'akiaiosfodnn7example', 'storage', 'backup', 'nas', 'synology',
  '123456789012', '1234567890', '12345678', '123456789', '1234567890123', '111111111111', '000000000000', 'aaaaaaaaaaaa',
]);

export function isWeakPassword(password: string): boolean {
  const p = password.toLowerCase();
  if (WEAK.has(p)) return true;
  const stem = p.replace(/[\d!@#$%^&*.?_-]+$/, '');
  if (stem.length === 0 || WEAK.has(stem)) return true;
  // One character repeated, or a run like "abcdefghijkl" / "123456789012".
  if (/^(.)\1+$/.test(p)) return true;
  let ascending = true;
  for (let i = 1; i < p.length; i++) if (p.charCodeAt(i) !== p.charCodeAt(i - 1) + 1 && !(p[i] === '0' && p[i - 1] === '9')) ascending = false;
  return ascending;
}

export const MIN_PASSWORD_LENGTH = 12;

/** Why a password is refused, or null when it is acceptable. */
export function passwordProblem(password: string, accessKey?: string): string | null {
  if (password.length < MIN_PASSWORD_LENGTH) return `it must be at least ${MIN_PASSWORD_LENGTH} characters long`;
  if (password.length > 256) return 'it must be at most 256 characters long';
  if (accessKey !== undefined && password === accessKey) return 'it must not equal the access key';
  if (isWeakPassword(password)) return 'it is a well-known or easily guessed password';
  return null;
}
