import type { IamService } from '../iam/iam-service.js';
import { useRecoveryCode, verifyTotp } from '../iam/totp.js';

export type MfaCode = { totp: string } | { recoveryCode: string };

/**
 * Spends a second-factor code of an enrolled account: a TOTP code (at most
 * once: its step becomes `lastStep`) or a recovery code (removed from the
 * list). True when it was good.
 *
 * The record is read, checked and written in one turn of the event loop
 * (IamService applies a change to its memory before awaiting the disk), so
 * two concurrent requests carrying one code cannot both pass.
 */
export async function spendMfaCode(iam: IamService, name: string, code: MfaCode): Promise<boolean> {
  const rec = iam.getMfa(name);
  if (!rec?.enrolled) return false;
  const { name: _name, ...stored } = rec;
  if ('totp' in code) {
    const r = verifyTotp(rec.secret, code.totp, { lastUsedStep: rec.lastStep });
    if (!r.ok) return false;
    await iam.setMfa(name, { ...stored, lastStep: r.step });
    return true;
  }
  const r = useRecoveryCode(rec.recovery, code.recoveryCode);
  if (!r.ok) return false;
  await iam.setMfa(name, { ...stored, recovery: r.remaining });
  return true;
}

/** A code typed into one box: digits (spaces allowed) are a TOTP code, anything else a recovery code. */
export function classifyCode(code: string): MfaCode {
  return /^[\d\s]+$/.test(code) ? { totp: code } : { recoveryCode: code };
}
