import { describe, expect, it } from 'vitest';
import { readEventStream } from './read-event-stream.ts';

async function* pieces(...texts: string[]) {
  for (const text of texts) yield Buffer.from(text);
}

const chunk = (delta: Record<string, unknown>) =>
  `data: ${JSON.stringify({ id: 'c1', object: 'chat.completion.chunk', choices: [{ index: 0, delta, finish_reason: null }] })}\n\n`;

describe('readEventStream', () => {
  it('counts chunks with content, not the role chunk, the usage chunk or [DONE]', async () => {
    const body = [
      chunk({ role: 'assistant', content: '' }),
      chunk({ content: 'Hello' }),
      chunk({ content: ' world' }),
      'data: {"id":"c1","choices":[],"usage":{"prompt_tokens":3}}\n\n',
      'data: [DONE]\n\n',
    ].join('');
    const summary = await readEventStream(pieces(body));
    expect(summary.tokens).toBe(2);
    expect(summary.firstTokenAt).toBeTypeOf('number');
  });

  it('joins lines split across network chunks', async () => {
    const text = chunk({ content: 'one' }) + chunk({ content: 'two' });
    const summary = await readEventStream(pieces(text.slice(0, 17), text.slice(17, 60), text.slice(60)));
    expect(summary.tokens).toBe(2);
  });

  it('reports no first token for a stream without content', async () => {
    expect(await readEventStream(pieces('data: [DONE]\n\n'))).toEqual({ tokens: 0, firstTokenAt: undefined });
  });
});
