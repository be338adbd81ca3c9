import type { StreamPart } from '@switchyard/core';
import { describe, expect, it } from 'vitest';
import { parseSse, readFixture } from '../__fixtures__/sse.ts';
import { createAnthropicEventParser } from './event-parser.ts';
import { createAnthropicStreamRenderer } from './stream-renderer.ts';

function parseRecorded(name: string): StreamPart[] {
  const parser = createAnthropicEventParser();
  return parseSse(readFixture(name)).flatMap((event) => parser.parse(event.event ?? '', JSON.parse(event.data) as unknown));
}

describe('createAnthropicEventParser', () => {
  it('parses a recorded tool-use stream', () => {
    const parts = parseRecorded('anthropic-stream-tool-use.sse');
    expect(parts.slice(0, 3)).toEqual([
      { type: 'text-delta', text: 'Okay' },
      { type: 'text-delta', text: ", let's check the weather for San Francisco, CA:" },
      { type: 'tool-call-start', index: 0, id: 'toolu_01T1x1fJ34qAmk2tNTrN7Up6', name: 'get_weather' },
    ]);
    const argumentsText = parts.flatMap((part) => (part.type === 'tool-call-delta' ? [part.argumentsDelta] : [])).join('');
    expect(JSON.parse(argumentsText)).toEqual({ location: 'San Francisco, CA', unit: 'fahrenheit' });
    expect(parts.filter((part) => part.type === 'finish')).toEqual([
      {
        type: 'finish',
        finishReason: 'tool_calls',
        usage: { inputTokens: 472, outputTokens: 89 },
        model: 'claude-sonnet-4-5-20250929',
        id: 'msg_014p7gG3wDgGV9EUtLvnow3U',
      },
    ]);
    expect(parts.at(-1)?.type).toBe('finish');
  });

  it('counts cache reads and writes as input and takes the totals from message_delta', () => {
    expect(parseRecorded('anthropic-stream-text.sse')).toEqual([
      { type: 'text-delta', text: 'Paris is' },
      { type: 'text-delta', text: ' the capital of France.' },
      {
        type: 'finish',
        finishReason: 'stop',
        usage: { inputTokens: 21 + 188 + 2048, outputTokens: 9, cachedInputTokens: 2048, cacheWriteInputTokens: 188 },
        model: 'claude-haiku-4-5-20251001',
        id: 'msg_01XFDUDYJgAACzvnptvVoYEL',
      },
    ]);
  });

  it('maps stop reasons', () => {
    const finishOf = (stopReason: string) => {
      const parser = createAnthropicEventParser();
      parser.parse('message_delta', { type: 'message_delta', delta: { stop_reason: stopReason }, usage: { output_tokens: 1 } });
      return (parser.parse('message_stop', { type: 'message_stop' })[0] as { finishReason: string }).finishReason;
    };
    expect(finishOf('end_turn')).toBe('stop');
    expect(finishOf('stop_sequence')).toBe('stop');
    expect(finishOf('max_tokens')).toBe('length');
    expect(finishOf('tool_use')).toBe('tool_calls');
    expect(finishOf('refusal')).toBe('content_filter');
    expect(finishOf('pause_turn')).toBe('other');
  });

  it('keeps the stop sequence that ended the stream, and the cache writes message_start reported', () => {
    const parser = createAnthropicEventParser();
    parser.parse('message_start', {
      type: 'message_start',
      message: { id: 'msg_1', model: 'm', usage: { input_tokens: 5, cache_creation_input_tokens: 1024, cache_read_input_tokens: 0, output_tokens: 1 } },
    });
    parser.parse('message_delta', { type: 'message_delta', delta: { stop_reason: 'stop_sequence', stop_sequence: '###' }, usage: { output_tokens: 3 } });
    expect(parser.parse('message_stop', { type: 'message_stop' })).toEqual([
      {
        type: 'finish',
        finishReason: 'stop',
        stopSequence: '###',
        usage: { inputTokens: 1029, outputTokens: 3, cachedInputTokens: 0, cacheWriteInputTokens: 1024 },
        model: 'm',
        id: 'msg_1',
      },
    ]);
  });

  it('turns error events into error parts, overloaded retryable', () => {
    const parser = createAnthropicEventParser();
    expect(parser.parse('error', { type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } })).toEqual([
      { type: 'error', error: { code: 'upstream_overloaded', message: 'Overloaded', retryable: true } },
    ]);
    expect(parser.parse('error', { type: 'error', error: { type: 'invalid_request_error', message: 'bad' } })).toEqual([
      { type: 'error', error: { code: 'upstream_error', message: 'bad', retryable: false } },
    ]);
  });

  it('ignores ping and unknown events, and reports unreadable ones without throwing', () => {
    const parser = createAnthropicEventParser();
    expect(parser.parse('ping', { type: 'ping' })).toEqual([]);
    expect(parser.parse('content_block_future', { type: 'content_block_future' })).toEqual([]);
    expect(parser.parse('', { type: 'ping' })).toEqual([]);
    for (const [event, data] of [
      ['content_block_delta', { index: 'x' }],
      ['message_start', null],
      ['error', 'boom'],
    ] as const) {
      expect(parser.parse(event, data)).toEqual([{ type: 'error', error: { code: 'upstream_error', message: 'upstream sent an unreadable stream event' } }]);
    }
  });

  it('emits a single finish even if message_stop repeats', () => {
    const parser = createAnthropicEventParser();
    expect(parser.parse('message_stop', {})).toHaveLength(1);
    expect(parser.parse('message_stop', {})).toEqual([]);
  });

  it('gives back the same parts the stream renderer was fed', () => {
    const parts: StreamPart[] = [
      { type: 'text-delta', text: 'Checking' },
      { type: 'tool-call-start', index: 0, id: 'toolu_a', name: 'get_weather' },
      { type: 'tool-call-delta', index: 0, argumentsDelta: '{"city":' },
      { type: 'tool-call-delta', index: 0, argumentsDelta: '"Paris"}' },
      { type: 'tool-call-start', index: 1, id: 'toolu_b', name: 'get_time' },
      {
        type: 'finish',
        finishReason: 'tool_calls',
        usage: { inputTokens: 40, outputTokens: 12, cachedInputTokens: 8, cacheWriteInputTokens: 20 },
        model: 'claude-sonnet-4-5',
        id: 'msg_sy_01',
      },
    ];
    const renderer = createAnthropicStreamRenderer({ id: 'msg_sy_01', model: 'claude-sonnet-4-5' });
    const parser = createAnthropicEventParser();
    const events = parts.flatMap((part) => renderer.push(part));
    expect(events.flatMap(({ event, data }) => parser.parse(event, JSON.parse(JSON.stringify(data)) as unknown))).toEqual(parts);
  });

  it('gives back a stop-sequence finish the stream renderer was fed', () => {
    const parts: StreamPart[] = [
      { type: 'text-delta', text: 'One, two' },
      {
        type: 'finish',
        finishReason: 'stop',
        stopSequence: ', three',
        usage: { inputTokens: 30, outputTokens: 3, cachedInputTokens: 0, cacheWriteInputTokens: 0 },
        model: 'claude-sonnet-4-5',
        id: 'msg_sy_02',
      },
    ];
    const renderer = createAnthropicStreamRenderer({ id: 'msg_sy_02', model: 'claude-sonnet-4-5' });
    const parser = createAnthropicEventParser();
    const events = parts.flatMap((part) => renderer.push(part));
    expect(events.flatMap(({ event, data }) => parser.parse(event, JSON.parse(JSON.stringify(data)) as unknown))).toEqual(parts);
  });

  describe('parseText', () => {
    const textDelta = (text: string, index = 0) => JSON.stringify({ type: 'content_block_delta', index, delta: { type: 'text_delta', text } });
    // Each shape a stream mixes in, after runs of text deltas the slot has learned.
    const events: [string, string][] = [
      ['message_start', JSON.stringify({ type: 'message_start', message: { id: 'msg_1', model: 'claude-x', usage: { input_tokens: 9, output_tokens: 1 } } })],
      ['content_block_start', JSON.stringify({ type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } })],
      ['content_block_delta', textDelta('Hel')],
      ['content_block_delta', textDelta('lo "there" \\ \n 😀')],
      ['content_block_delta', textDelta('')],
      // Same bytes under another event name: the name decides, so it is parsed whole.
      ['ping', textDelta('not text')],
      ['ping', textDelta('not text either')],
      ['', textDelta('named by its type')],
      ['', textDelta('still by its type')],
      ['content_block_delta', textDelta('x', 1)],
      [
        'content_block_start',
        JSON.stringify({ type: 'content_block_start', index: 2, content_block: { type: 'tool_use', id: 'toolu_1', name: 'f', input: {} } }),
      ],
      ['content_block_delta', JSON.stringify({ type: 'content_block_delta', index: 2, delta: { type: 'input_json_delta', partial_json: '{"a":' } })],
      ['content_block_delta', JSON.stringify({ type: 'content_block_delta', index: 2, delta: { type: 'input_json_delta', partial_json: '1}' } })],
      ['content_block_delta', textDelta('after the tool', 1)],
      ['message_delta', JSON.stringify({ type: 'message_delta', delta: { stop_reason: 'end_turn' }, usage: { output_tokens: 12 } })],
      ['message_stop', JSON.stringify({ type: 'message_stop' })],
    ];

    it('gives the parts and finish that parsing each event whole gives', () => {
      const whole = createAnthropicEventParser();
      const byText = createAnthropicEventParser();
      const expected = events.flatMap(([event, data]) => whole.parse(event, JSON.parse(data) as unknown));
      const actual = events.flatMap(([event, data]) => byText.parseText(event, data) ?? []);
      expect(actual).toEqual(expected);
      expect(actual).toContainEqual({ type: 'text-delta', text: 'still by its type' });
      expect(actual).not.toContainEqual({ type: 'text-delta', text: 'not text' });
      expect(actual).not.toContainEqual({ type: 'text-delta', text: 'not text either' });
      expect(actual.at(-1)).toMatchObject({ type: 'finish', finishReason: 'stop', usage: { inputTokens: 9, outputTokens: 12 } });
    });

    it('gives the same parts for recorded streams, and undefined for data that is not JSON', () => {
      for (const name of ['anthropic-stream-text.sse', 'anthropic-stream-tool-use.sse']) {
        const byText = createAnthropicEventParser();
        expect(parseSse(readFixture(name)).flatMap((event) => byText.parseText(event.event ?? '', event.data) ?? [])).toEqual(parseRecorded(name));
      }
      const parser = createAnthropicEventParser();
      parser.parseText('content_block_delta', textDelta('a'));
      expect(parser.parseText('content_block_delta', textDelta('b'))).toEqual([{ type: 'text-delta', text: 'b' }]);
      expect(parser.parseText('content_block_delta', textDelta('c').slice(0, -1))).toBeUndefined();
    });
  });
});
