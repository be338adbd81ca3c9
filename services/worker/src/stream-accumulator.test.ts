import { describe, expect, it } from 'vitest';
import { createStreamAccumulator } from './stream-accumulator.ts';
import { streamUsage } from './stream-usage.ts';

describe('stream accumulator', () => {
  it('rebuilds the response a non-stream call returns, tool calls in index order', () => {
    const accumulator = createStreamAccumulator();
    accumulator.add({ type: 'text-delta', text: 'Let me ' });
    accumulator.add({ type: 'text-delta', text: 'check.' });
    accumulator.add({ type: 'tool-call-start', index: 1, id: 'call_b', name: 'time' });
    accumulator.add({ type: 'tool-call-start', index: 0, id: 'call_a', name: 'weather' });
    accumulator.add({ type: 'tool-call-delta', index: 0, argumentsDelta: '{"city":' });
    accumulator.add({ type: 'tool-call-delta', index: 1, argumentsDelta: '{}' });
    accumulator.add({ type: 'tool-call-delta', index: 0, argumentsDelta: '"Oslo"}' });
    const usage = { inputTokens: 5, outputTokens: 9 };
    const response = accumulator.toResponse({ type: 'finish', finishReason: 'tool_calls', usage, id: 'up_1' }, { fallbackModel: 'gpt-4o', usage });
    expect(response).toEqual({
      id: 'up_1',
      model: 'gpt-4o',
      content: [{ type: 'text', text: 'Let me check.' }],
      toolCalls: [
        { id: 'call_a', name: 'weather', arguments: '{"city":"Oslo"}' },
        { id: 'call_b', name: 'time', arguments: '{}' },
      ],
      finishReason: 'tool_calls',
      usage,
    });
    expect(accumulator.outputCharacters).toBe('Let me check.'.length + 'time'.length + 'weather'.length + '{"city":"Oslo"}'.length + 2);
  });

  it('keeps reported usage, and estimates what is missing at four characters a token', () => {
    const request = {
      model: 'm',
      messages: [
        { role: 'system' as const, content: 'abcd' },
        { role: 'user' as const, content: [{ type: 'text' as const, text: 'efghij' }] },
      ],
    };
    expect(streamUsage({ inputTokens: 3, outputTokens: 4 }, request, 100)).toEqual({ inputTokens: 3, outputTokens: 4 });
    expect(streamUsage(undefined, request, 9)).toEqual({ inputTokens: 3, outputTokens: 3, estimated: true });
    expect(streamUsage({ inputTokens: 7, outputTokens: 0, estimated: true }, request, 9)).toEqual({ inputTokens: 7, outputTokens: 3, estimated: true });
  });
});
