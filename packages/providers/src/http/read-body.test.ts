import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createCallSignal } from './call-signal.ts';
import { readJsonLines, readServerSentEvents } from './read-body.ts';

const context = { provider: 'test', secrets: [] };

async function collect<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const items: T[] = [];
  for await (const item of iterable) items.push(item);
  return items;
}

describe('readServerSentEvents', () => {
  it('reassembles events and multi-byte characters split across chunks', async () => {
    const bytes = new TextEncoder().encode('event: a\ndata: {"text":"héllo"}\n\ndata: [DONE]\n\n');
    const split = bytes.indexOf(0xc3) + 1; // inside the two-byte é
    const call = createCallSignal(new AbortController().signal, 1_000);
    const events = await collect(readServerSentEvents(Readable.from([bytes.slice(0, split), bytes.slice(split)]), call, context));
    call.dispose();
    expect(events).toEqual([{ event: 'a', data: '{"text":"héllo"}' }, { data: '[DONE]' }]);
  });

  it('aborts the call and destroys the body when the consumer stops early', async () => {
    const encoder = new TextEncoder();
    const body = Readable.from([encoder.encode('data: 1\n\n'), encoder.encode('data: 2\n\n')]);
    const call = createCallSignal(new AbortController().signal, 1_000);
    for await (const event of readServerSentEvents(body, call, context)) {
      expect(event).toEqual({ data: '1' });
      break;
    }
    call.dispose();
    expect(call.signal.aborted).toBe(true);
    expect(body.destroyed).toBe(true);
  });
});

describe('readJsonLines', () => {
  it('yields whole lines, including a last one without a newline', async () => {
    const encoder = new TextEncoder();
    const call = createCallSignal(new AbortController().signal, 1_000);
    const lines = await collect(readJsonLines(Readable.from([encoder.encode('{"a":1}\n{"b"'), encoder.encode(':2}\n\n{"c":3}')]), call, context));
    call.dispose();
    expect(lines).toEqual(['{"a":1}', '{"b":2}', '{"c":3}']);
    expect(call.signal.aborted).toBe(false);
  });
});
