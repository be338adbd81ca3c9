import { describe, expect, it } from 'vitest';
import { retellResponse } from './retell-response.ts';

describe('parts from a stored output', () => {
  it('tells an OpenAI chat completion with tool calls again as parts', () => {
    const output = {
      id: 'chatcmpl-1',
      object: 'chat.completion',
      created: 1,
      model: 'gpt-4o',
      choices: [
        {
          index: 0,
          message: {
            role: 'assistant',
            content: 'Checking.',
            tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'weather', arguments: '{"city":"Oslo"}' } }],
          },
          finish_reason: 'tool_calls',
        },
      ],
      usage: { prompt_tokens: 7, completion_tokens: 5, total_tokens: 12 },
    };
    expect(retellResponse('/v1/chat/completions', output)).toEqual([
      { type: 'text-delta', text: 'Checking.' },
      { type: 'tool-call-start', index: 0, id: 'call_1', name: 'weather' },
      { type: 'tool-call-delta', index: 0, argumentsDelta: '{"city":"Oslo"}' },
      { type: 'finish', finishReason: 'tool_calls', usage: { inputTokens: 7, outputTokens: 5 }, model: 'gpt-4o', id: 'chatcmpl-1' },
    ]);
  });

  it('tells an Anthropic message again as parts', () => {
    const output = {
      id: 'msg_1',
      type: 'message',
      role: 'assistant',
      model: 'claude-sonnet-4-5',
      content: [{ type: 'text', text: 'Hello.' }],
      stop_reason: 'end_turn',
      stop_sequence: null,
      usage: { input_tokens: 3, output_tokens: 2 },
    };
    const parts = retellResponse('/v1/messages', output)!;
    expect(parts[0]).toEqual({ type: 'text-delta', text: 'Hello.' });
    expect(parts[1]).toMatchObject({ type: 'finish', finishReason: 'stop', usage: { inputTokens: 3, outputTokens: 2 }, model: 'claude-sonnet-4-5' });
  });

  it('gives up on anything that is not a chat body', () => {
    expect(retellResponse('/v1/chat/completions', { object: 'list', data: [] })).toBeUndefined();
    expect(retellResponse('/v1/embeddings', {})).toBeUndefined();
  });
});
