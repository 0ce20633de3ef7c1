import { createPrivateKey, createPublicKey, generateKeyPairSync, hkdfSync, type KeyObject } from 'node:crypto';

/** Where the deployment's console signing key is kept (IamService secrets: sealed on disk, in the drives' snapshot). */
export const SESSION_KEY_SECRET = 'console.sessionKey';

export interface SessionKeys {
  /** Ed25519: signs session tokens. */
  privateKey: KeyObject;
  /** Derived from the private key, never stored: verifies them. */
  publicKey: KeyObject;
  /** HMAC key for CSRF tokens. */
  csrfKey: Buffer;
  /** HMAC key for the fingerprints of the secret a session logged in with. */
  credentialKey: Buffer;
}

/** The part of IamService this needs. */
export interface SecretStore {
  secret(name: string): string | undefined;
  setSecret(name: string, value: string): Promise<void>;
}

/**
 * One Ed25519 key per deployment, made on the first start and kept with
 * IAM's other secrets, so it follows the deployment (a config directory
 * restored from the drives keeps it). The HMAC keys are derived from it
 * with HKDF rather than stored beside it: one secret to keep, and they can
 * never get out of step.
 */
export async function loadSessionKeys(store: SecretStore): Promise<SessionKeys> {
  let pem = store.secret(SESSION_KEY_SECRET);
  if (pem === undefined) {
    pem = generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    await store.setSecret(SESSION_KEY_SECRET, pem);
  }
  const privateKey = createPrivateKey(pem);
  if (privateKey.asymmetricKeyType !== 'ed25519') throw new Error(`the stored console session key is ${privateKey.asymmetricKeyType}, not Ed25519`);
  const der = privateKey.export({ type: 'pkcs8', format: 'der' });
  const derive = (purpose: string) => Buffer.from(hkdfSync('sha256', der, Buffer.alloc(0), `granary console ${purpose} v1`, 32));
  return { privateKey, publicKey: createPublicKey(privateKey), csrfKey: derive('csrf'), credentialKey: derive('credential') };
}
