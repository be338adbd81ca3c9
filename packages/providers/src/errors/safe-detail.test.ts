import { describe, expect, it } from 'vitest';
import { safeDetail } from './safe-detail.ts';

describe('safeDetail', () => {
  it('removes our secrets and key-shaped tokens', () => {
    const detail = safeDetail('Incorrect API key provided: my-secret-key-123. Also sk-proj-abc***xyz and sk-ant-api03-abcdef.', ['my-secret-key-123']);
    expect(detail).toBe('Incorrect API key provided: [redacted]. Also [redacted] and [redacted].');
  });

  it('caps the length and flattens whitespace', () => {
    const detail = safeDetail(`line one\n\n${'x'.repeat(1000)}`, []);
    expect(detail.startsWith('line one x')).toBe(true);
    expect(detail).toHaveLength(500);
  });
});
