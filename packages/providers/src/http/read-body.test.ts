import { describe, expect, it } from 'vitest';
import { createCallSignal } from './call-signal.ts';
import type { HttpContext } from './http-context.ts';
import { readJsonLines, readServerSentEvents } from './read-body.ts';

const context: HttpContext = { provider: 'test', secrets: [], fetch: globalThis.fetch, timeoutMs: 1_000 };

/** A response whose body arrives in exactly these byte chunks. */
function chunkedResponse(chunks: Uint8Array[]): Response {
  return new Response(
    new ReadableStream({
      start(controller) {
        for (const chunk of chunks) controller.enqueue(chunk);
        controller.close();
      },
    }),
  );
}

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
    const events = await collect(readServerSentEvents(chunkedResponse([bytes.slice(0, split), bytes.slice(split)]), call, context));
    call.dispose();
    expect(events).toEqual([{ event: 'a', data: '{"text":"héllo"}' }, { data: '[DONE]' }]);
  });
});

describe('readJsonLines', () => {
  it('yields whole lines, including a last one without a newline', async () => {
    const encoder = new TextEncoder();
    const call = createCallSignal(new AbortController().signal, 1_000);
    const lines = await collect(readJsonLines(chunkedResponse([encoder.encode('{"a":1}\n{"b"'), encoder.encode(':2}\n\n{"c":3}')]), call, context));
    call.dispose();
    expect(lines).toEqual(['{"a":1}', '{"b":2}', '{"c":3}']);
  });
});
