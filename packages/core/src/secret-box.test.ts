import { describe, expect, it } from 'vitest';
import { openSecret, sealSecret } from './secret-box.ts';

describe('secret box', () => {
  it('seals with a key so the stored text does not contain the secret, and opens it again', () => {
    const sealed = sealSecret('whsec_abc123', 'key one');
    expect(sealed).toMatch(/^sealed:v1:/);
    expect(sealed).not.toContain('abc123');
    expect(sealSecret('whsec_abc123', 'key one')).not.toBe(sealed);
    expect(openSecret(sealed, 'key one')).toBe('whsec_abc123');
  });

  it('stores the plaintext without a key, and reads plaintext rows with or without one', () => {
    expect(sealSecret('whsec_abc', undefined)).toBe('whsec_abc');
    expect(openSecret('whsec_abc', undefined)).toBe('whsec_abc');
    expect(openSecret('whsec_abc', 'some key')).toBe('whsec_abc');
  });

  it('refuses to open with no key or the wrong key, saying which', () => {
    const sealed = sealSecret('whsec_abc', 'right');
    expect(() => openSecret(sealed, undefined)).toThrow(/SWITCHYARD_ENCRYPTION_KEY is not set/);
    expect(() => openSecret(sealed, 'wrong')).toThrow(/another key/);
  });
});
