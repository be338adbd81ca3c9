import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger } from './create-logger.ts';

function capture() {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk, _encoding, callback) {
      lines.push(String(chunk));
      callback();
    },
  });
  return { lines, logger: createLogger({ destination, level: 'info' }) };
}

describe('createLogger', () => {
  it('redacts keys, auth headers and prompt content', () => {
    const { lines, logger } = capture();
    logger.info(
      {
        apiKey: 'sk-live-123',
        headers: { authorization: 'Bearer sk-live-123', 'x-api-key': 'sk-ant-456' },
        request: { messages: [{ role: 'user', content: 'my secret plan' }] },
        requestId: 'req_1',
        endpoint: { secret: 'whsec_current', previous_secret: 'whsec_previous' },
        target: { secrets: ['whsec_signing'] },
      },
      'hello',
    );
    const text = lines.join('');
    expect(text).not.toContain('sk-live-123');
    expect(text).not.toContain('sk-ant-456');
    expect(text).not.toContain('my secret plan');
    expect(text).not.toMatch(/whsec_/);
    expect(JSON.parse(text).requestId).toBe('req_1');
  });
});
