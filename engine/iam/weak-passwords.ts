import { COMMON_PASSWORDS } from './common-passwords.js';

/**
 * The defaults of object stores (and of Granary), the example keys of AWS's
 * documentation, and a few words every guesser tries against a storage box.
 * Compared case-insensitively, also with digits and symbols added around.
 */
const DEFAULTS = new Set([
  'minioadmin', 'minio123', 'granary', 'granaryadmin', 'admin', 'administrator', 'root', 'toor', 'password', 'passw0rd', 'p@ssw0rd', 'p@ssword',
  'letmein', 'welcome', 'qwerty', 'qwertyuiop', 'asdfghjkl', 'zxcvbnm', 'iloveyou', 'monkey', 'dragon', 'football', 'baseball', 'superman',
  'changeme', 'default', 'secret', 'master', 'shadow', 'sunshine', 'princess', 'trustno1', 'abc123', 'access', 'login', 'starwars',
  'secretkey', 'accesskey', 'wjalrxutnfemi/k7mdeng/bpxrficyexamplekey', 'akiaiosfodnn7example', 'storage', 'backup', 'nas', 'synology',
]);

export const MIN_PASSWORD_LENGTH = 12;
const MAX_PASSWORD_LENGTH = 256;

/** What people add to a word to get past a rule: "Password123!", "2024summer". */
const ADDED = '[\\d!@#$%^&*.?_-]+';
const ADDED_AFTER = new RegExp(`${ADDED}$`);
const ADDED_AROUND = new RegExp(`^${ADDED}|${ADDED}$`, 'g');

/** The word under the additions: stripped at the end only (so "p@ssw0rd1" keeps its "@"), and at both ends. */
function stems(p: string): string[] {
  return [p.replace(ADDED_AFTER, ''), p.replace(ADDED_AROUND, '')];
}

/** Substitutions every cracking rule set tries first: "dr@g0n" is "dragon". "1" is tried as both "i" and "l". */
const LOOK_ALIKES: Record<string, string> = { '@': 'a', '4': 'a', '3': 'e', '0': 'o', '$': 's', '5': 's', '7': 't', '!': 'i' };
function plainSpellings(s: string): string[] {
  const swap = (one: string) => s.replace(/[@43057$!1]/g, (c) => (c === '1' ? one : LOOK_ALIKES[c]));
  return [swap('i'), swap('l')];
}

/** Runs along the alphabet, the digits and common keyboard layouts (rows and columns); read both ways, wrapping around. */
const RUNS = [
  'abcdefghijklmnopqrstuvwxyz', '0123456789',
  'qwertyuiopasdfghjklzxcvbnm', 'qwertzuiopasdfghjklyxcvbnm', 'azertyuiopqsdfghjklmwxcvbn', 'poiuytrewqlkjhgfdsamnbvcxz',
  '1qaz2wsx3edc4rfv5tgb6yhn7ujm8ik9ol0p', 'qazwsxedcrfvtgbyhnujmikolp', '1q2w3e4r5t6y7u8i9o0p', 'q1w2e3r4t5y6u7i8o9p0',
].flatMap((run) => [run, [...run].reverse().join('')]);

function isSequence(s: string): boolean {
  if (s.length < 3) return false;
  if (RUNS.some((run) => run.repeat(Math.ceil(s.length / run.length) + 1).includes(s))) return true;
  // Any other run of consecutive code points, up or down ("!\"#$%&'()*+,").
  const chars = [...s];
  const step = chars[1].codePointAt(0)! - chars[0].codePointAt(0)!;
  if (step !== 1 && step !== -1) return false;
  return chars.every((c, i) => i === 0 || c.codePointAt(0)! - chars[i - 1].codePointAt(0)! === step);
}

/** "abcabcabcabc", "passwordpassword": no stronger than the piece, which is shorter than the minimum. */
function isShortPieceRepeated(s: string): boolean {
  for (let n = 1; n < MIN_PASSWORD_LENGTH && n <= s.length / 2; n++) {
    if (s.length % n === 0 && s.slice(0, n).repeat(s.length / n) === s) return true;
  }
  return false;
}

/** A shape a guesser enumerates in seconds, as the end of a sentence "it is …", or null. */
function pattern(s: string): string | null {
  if (/^(.)\1+$/su.test(s)) return 'one character repeated';
  if (isSequence(s)) return 'a simple sequence of letters, digits or keyboard keys';
  if (isShortPieceRepeated(s)) return 'a short piece repeated';
  return null;
}

/** Why a password is easily guessed, whatever its length, or null. */
export function weakPasswordProblem(password: string): string | null {
  const p = password.toLowerCase();
  // Shapes first: "it is one character repeated" helps more than "it is in a list".
  const shape = pattern(p);
  if (shape) return `it is ${shape}`;
  if (DEFAULTS.has(p)) return 'it is a well-known default password';
  if (COMMON_PASSWORDS.has(p)) return 'it is one of the most common passwords in published breach lists';
  const [end, around] = stems(p);
  if (end.length === 0) return 'it is only digits and common symbols';
  for (const stem of new Set([end, around])) {
    const added = stem !== p;
    if ([stem, ...plainSpellings(stem)].some((w) => DEFAULTS.has(w) || COMMON_PASSWORDS.has(w))) {
      return added ? 'it is a common password with only digits or symbols added' : 'it is a common password with letters swapped for look-alike digits or symbols';
    }
    // Short stems ("x" + twelve digits) are left alone: too few letters to call them a pattern.
    const stemShape = added && stem.length >= 4 ? pattern(stem) : null;
    if (stemShape) return `it is ${stemShape} with only digits or symbols added`;
  }
  return null;
}

export function isWeakPassword(password: string): boolean {
  return weakPasswordProblem(password) !== null;
}

/** Why a password is refused, or null when it is acceptable. */
export function passwordProblem(password: string, accessKey?: string): string | null {
  if (password.length < MIN_PASSWORD_LENGTH) return `it must be at least ${MIN_PASSWORD_LENGTH} characters long`;
  if (password.length > MAX_PASSWORD_LENGTH) return `it must be at most ${MAX_PASSWORD_LENGTH} characters long`;
  if (accessKey !== undefined && password === accessKey) return 'it must not equal the access key';
  if (accessKey && (isKeyWithExtras(password.toLowerCase(), accessKey.toLowerCase()) || [password.toLowerCase(), ...stems(password.toLowerCase())].includes(accessKey.toLowerCase()))) {
    return 'it must not be the access key with only the letter case changed or digits or symbols added';
  }
  return weakPasswordProblem(password);
}

/**
 * The access key with only digits or symbols before or after it. Stems alone
 * miss this when the key itself ends in digits (they strip those too).
 */
function isKeyWithExtras(password: string, key: string): boolean {
  const extrasOnly = (s: string) => /^[^\p{L}]*$/u.test(s);
  return (password.startsWith(key) && extrasOnly(password.slice(key.length))) || (password.endsWith(key) && extrasOnly(password.slice(0, password.length - key.length)));
}
