import { describe, expect, it } from 'vitest';
import { estimateTokens } from './estimate-tokens.ts';

describe('estimateTokens', () => {
  it('charges characters / 4 of every text (rounded up) plus max_tokens', () => {
    const body = { model: 'gpt-4o', max_tokens: 100, messages: [{ role: 'user', content: 'hello world!' }] };
    // 'gpt-4o' (6) + 'user' (4) + 'hello world!' (12) = 22 characters -> 6 tokens.
    expect(estimateTokens(body)).toBe(106);
  });

  it('reads max_completion_tokens when max_tokens is absent, and charges text only when neither is set', () => {
    expect(estimateTokens({ model: 'abcd', max_completion_tokens: 7 })).toBe(8);
    expect(estimateTokens({ model: 'abcd', messages: [{ role: 'user', content: 'abcd' }] })).toBe(3);
  });

  it('counts Anthropic system prompts and content blocks but not inline base64 images', () => {
    const body = {
      model: 'm',
      max_tokens: 10,
      system: 'abcdefgh',
      messages: [
        {
          role: 'user',
          content: [
            { type: 'text', text: 'abcd' },
            { type: 'image', source: { type: 'base64', media_type: 'image/png', data: 'A'.repeat(4000) } },
            { type: 'image_url', image_url: { url: `data:image/png;base64,${'B'.repeat(4000)}` } },
          ],
        },
      ],
    };
    const characters =
      'm'.length +
      'abcdefgh'.length +
      'user'.length +
      'text'.length +
      'abcd'.length +
      'image'.length +
      'base64'.length +
      'image/png'.length +
      'image_url'.length;
    expect(estimateTokens(body)).toBe(Math.ceil(characters / 4) + 10);
  });

  it('charges nothing for a body that is not an object', () => {
    expect(estimateTokens(undefined)).toBe(0);
    expect(estimateTokens({ max_tokens: -3 })).toBe(0);
  });
});
