/**
 * A rough strength estimate for the meter beside password fields. The
 * engine decides (length, common and guessable passwords); this only tells
 * the person early. Score 0 = refused for sure (shorter than 12), 1–4 from
 * weak to strong by estimated entropy with runs and repeats discounted.
 */
export interface Strength {
  score: 0 | 1 | 2 | 3 | 4;
  label: string;
  hint: string;
}

export const MIN_PASSWORD_LENGTH = 12;

export function passwordStrength(password: string, name = ''): Strength {
  if (password.length === 0) return { score: 0, label: 'Empty', hint: `Use at least ${MIN_PASSWORD_LENGTH} characters.` };
  if (password.length < MIN_PASSWORD_LENGTH) return { score: 0, label: 'Too short', hint: `${MIN_PASSWORD_LENGTH - password.length} more characters needed (at least ${MIN_PASSWORD_LENGTH}).` };
  if (name && password.toLowerCase().includes(name.toLowerCase()) && name.length >= 3) return { score: 1, label: 'Weak', hint: 'It contains the account name.' };
  let pool = 0;
  if (/[a-z]/.test(password)) pool += 26;
  if (/[A-Z]/.test(password)) pool += 26;
  if (/\d/.test(password)) pool += 10;
  if (/[^A-Za-z0-9]/.test(password)) pool += 33;
  // Each character that repeats or continues a run (aaa, abc, 123) adds little.
  let effective = 0;
  for (let i = 0; i < password.length; i++) {
    const c = password.charCodeAt(i);
    const prev = password.charCodeAt(i - 1);
    effective += i > 0 && (c === prev || c === prev + 1 || c === prev - 1) ? 0.25 : 1;
  }
  const bits = effective * Math.log2(Math.max(pool, 2));
  if (bits < 50) return { score: 1, label: 'Weak', hint: 'Make it longer, or mix in upper case, digits and symbols.' };
  if (bits < 65) return { score: 2, label: 'Fair', hint: 'Acceptable; a few more characters make it much harder to guess.' };
  if (bits < 85) return { score: 3, label: 'Good', hint: 'Hard to guess.' };
  return { score: 4, label: 'Strong', hint: 'Very hard to guess.' };
}
