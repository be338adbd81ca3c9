import { describe, expect, it } from 'vitest';
import { jsonLines, serverSentEvents } from './text-splitters.ts';

describe('serverSentEvents', () => {
  it('returns the events each piece completes, across pieces cut anywhere', () => {
    const events = serverSentEvents();
    expect(events.feed('event: a\nda')).toEqual([]);
    expect(events.feed('ta: {"text":"x"}\n\ndata: [DONE]\n\ndata: 3')).toEqual([{ event: 'a', data: '{"text":"x"}' }, { data: '[DONE]' }]);
    expect(events.feed('\n')).toEqual([]);
    // The body ended without the blank line that closes the last event: the SSE standard drops it.
    expect(events.end()).toEqual([]);
  });
});

describe('jsonLines', () => {
  it('returns whole trimmed lines, and a last one without a newline at the end', () => {
    const lines = jsonLines();
    expect(lines.feed('{"a":1}\n{"b"')).toEqual(['{"a":1}']);
    expect(lines.feed(':2}\n\n  \n{"c":3}')).toEqual(['{"b":2}']);
    expect(lines.end()).toEqual(['{"c":3}']);
    expect(lines.end()).toEqual([]);
  });
});
