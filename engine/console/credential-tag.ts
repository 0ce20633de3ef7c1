import { createHmac } from 'node:crypto';

/**
 * A fingerprint of the secret key a session logged in with, kept beside the
 * session (never the secret itself). When the secret changes (the user's
 * password reset, root's rotated) the fingerprint no longer matches and every
 * session made with the old one ends, as a password change should.
 */
export function credentialTag(key: Buffer, secretKey: string): string {
  return createHmac('sha256', key).update(secretKey, 'utf8').digest('base64url');
}
