import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';

const sealedPrefix = 'sealed:v1:';

/**
 * A secret as it is stored: AES-256-GCM under `SWITCHYARD_ENCRYPTION_KEY` when one is set
 * (`sealed:v1:<iv>.<tag>.<ciphertext>`, base64url), else the plaintext itself. The key may be
 * any string; its SHA-256 is the cipher key.
 */
export function sealSecret(plaintext: string, encryptionKey: string | undefined): string {
  if (!encryptionKey) return plaintext;
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', cipherKey(encryptionKey), iv);
  const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return `${sealedPrefix}${iv.toString('base64url')}.${cipher.getAuthTag().toString('base64url')}.${ciphertext.toString('base64url')}`;
}

/** The plaintext of a stored secret; a plaintext one (stored while no key was set) reads as it is. */
export function openSecret(stored: string, encryptionKey: string | undefined): string {
  if (!stored.startsWith(sealedPrefix)) return stored;
  if (!encryptionKey) throw new Error('a webhook secret is stored encrypted and SWITCHYARD_ENCRYPTION_KEY is not set: set the key it was sealed with');
  const [iv, tag, ciphertext] = stored.slice(sealedPrefix.length).split('.');
  if (!iv || !tag || ciphertext === undefined) throw new Error('a stored webhook secret is malformed');
  const decipher = createDecipheriv('aes-256-gcm', cipherKey(encryptionKey), Buffer.from(iv, 'base64url'));
  decipher.setAuthTag(Buffer.from(tag, 'base64url'));
  try {
    return Buffer.concat([decipher.update(Buffer.from(ciphertext, 'base64url')), decipher.final()]).toString('utf8');
  } catch {
    throw new Error('a stored webhook secret does not open with SWITCHYARD_ENCRYPTION_KEY: it was sealed with another key');
  }
}

const cipherKey = (encryptionKey: string): Buffer => createHash('sha256').update(encryptionKey).digest();
