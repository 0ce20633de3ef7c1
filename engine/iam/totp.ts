import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { HOTP, Secret, TOTP } from 'otpauth';

/**
 * Second factor for console logins: RFC 6238 time-based codes, plus one-time
 * recovery codes for a lost phone. Pure: the caller stores the secret, the
 * last accepted step and the recovery hashes, and passes them back in.
 */

// What every authenticator app assumes, whatever the otpauth:// URI says:
// several ignore the algorithm, digits and period parameters.
const ALGORITHM = 'SHA1';
const DIGITS = 6;
const PERIOD_S = 30;
/** RFC 4226 recommends 160 bits; fewer than 128 (its minimum) is refused as a stored secret. */
const SECRET_BYTES = 20;
const MIN_SECRET_BYTES = 16;
/** One step either way: a phone clock 30 s off, or a code typed as it rolls over. */
const DRIFT_STEPS = 1;

export interface TotpSecret {
  /** Base32 (RFC 4648, no padding): what is stored, and what a user types when a QR code cannot be scanned. */
  secret: string;
  /** otpauth://totp/… for the QR code. */
  uri: string;
}

export function newTotpSecret(issuer: string, account: string): TotpSecret {
  const totp = new TOTP({ issuer, label: account, secret: new Secret({ size: SECRET_BYTES }), algorithm: ALGORITHM, digits: DIGITS, period: PERIOD_S });
  return { secret: totp.secret.base32, uri: totp.toString() };
}

/** The 30-second step a time (ms since the epoch) falls in; what `lastUsedStep` counts. */
export function totpStep(now: number = Date.now()): number {
  return Math.floor(now / 1000 / PERIOD_S);
}

export type TotpResult = { ok: true; step: number } | { ok: false };

/**
 * Checks a code typed by the user. On success the caller must store `step`
 * as the new `lastUsedStep`: a code is good once, so one seen over a
 * shoulder or in a proxy log cannot be replayed within its 90 s of validity.
 * Never throws: malformed codes and secrets are simply not ok.
 */
export function verifyTotp(secret: string, code: string, opts: { now?: number; lastUsedStep?: number } = {}): TotpResult {
  if (typeof code !== 'string' || code.length > 16) return { ok: false };
  // Apps show "123 456"; people type it so.
  const digits = code.replace(/\s/g, '');
  if (!/^\d{6}$/.test(digits)) return { ok: false };
  let key: Secret;
  try {
    key = Secret.fromBase32(secret);
  } catch {
    return { ok: false };
  }
  if (key.bytes.length < MIN_SECRET_BYTES) return { ok: false };
  const current = totpStep(opts.now ?? Date.now());
  const typed = Buffer.from(digits);
  let matched: number | undefined;
  // Every step of the window is computed and compared, match or not, so the
  // time taken does not say which one matched. The latest match wins: were
  // the code (by chance) valid for two steps, accepting the earlier would
  // leave it replayable for the later one.
  for (let step = Math.max(0, current - DRIFT_STEPS); step <= current + DRIFT_STEPS; step++) {
    const expected = Buffer.from(HOTP.generate({ secret: key, algorithm: ALGORITHM, digits: DIGITS, counter: step }));
    const fresh = opts.lastUsedStep === undefined || step > opts.lastUsedStep;
    if (timingSafeEqual(typed, expected) && fresh) matched = step;
  }
  return matched === undefined ? { ok: false } : { ok: true, step: matched };
}

// Recovery codes: 12 characters of base32 (60 random bits), grouped in fours
// to be copied onto paper. Base32 has no 0/1/8/9, so no O-or-0 doubts.
const RECOVERY_ALPHABET = 'abcdefghijklmnopqrstuvwxyz234567';
const RECOVERY_LENGTH = 12;
const RECOVERY_RE = /^[a-z2-7]{12}$/;

function hashRecoveryCode(normalised: string): Buffer {
  // A fast unsalted hash is enough for 60 random bits: what it protects is
  // weaker than the TOTP secret stored beside it, which a database thief
  // reads directly.
  return createHash('sha256').update(normalised).digest();
}

function normaliseRecoveryCode(code: string): string {
  return code.toLowerCase().replace(/[\s-]/g, '');
}

export interface RecoveryCodes {
  /** Shown once, e.g. "k3vq-7xmd-p2ra". */
  codes: string[];
  /** sha256 hex of each, in the same order: what is stored. */
  hashes: string[];
}

export function newRecoveryCodes(n = 10): RecoveryCodes {
  if (!Number.isInteger(n) || n < 1 || n > 100) throw new RangeError(`recovery code count must be 1 to 100, not ${n}`);
  const codes = new Set<string>();
  while (codes.size < n) {
    // 32 divides 256, so masking the low five bits keeps every character equally likely.
    const raw = [...randomBytes(RECOVERY_LENGTH)].map((b) => RECOVERY_ALPHABET[b & 31]).join('');
    codes.add(`${raw.slice(0, 4)}-${raw.slice(4, 8)}-${raw.slice(8)}`);
  }
  const list = [...codes];
  return { codes: list, hashes: list.map((c) => hashRecoveryCode(normaliseRecoveryCode(c)).toString('hex')) };
}

export type RecoveryResult = { ok: true; remaining: string[] } | { ok: false };

/**
 * Spends a recovery code: on success the caller stores `remaining`, which no
 * longer holds it. Case, dashes and spaces do not matter. Every stored hash
 * is compared in constant time, so timing says nothing about which matched.
 */
export function useRecoveryCode(hashes: readonly string[], code: string): RecoveryResult {
  if (typeof code !== 'string' || code.length > 64) return { ok: false };
  const normalised = normaliseRecoveryCode(code);
  if (!RECOVERY_RE.test(normalised)) return { ok: false };
  const typed = hashRecoveryCode(normalised);
  let matched = -1;
  hashes.forEach((hex, i) => {
    const stored = Buffer.from(hex, 'hex');
    if (stored.length === typed.length && timingSafeEqual(stored, typed) && matched === -1) matched = i;
  });
  return matched === -1 ? { ok: false } : { ok: true, remaining: hashes.filter((_, i) => i !== matched) };
}
