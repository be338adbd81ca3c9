// Resuming by event id through the relay with the real renderer: every event has its own
// id, and a resume after any id sends exactly the rest of the stream.
import { describe, expect, it } from 'vitest';
import type { InferenceEndpoint, ReplyMessage, StreamMessage, StreamPart } from '@switchyard/core';
import type { SseSink } from './sse-response.ts';
import { createStreamEventRenderer } from './stream-event-renderer.ts';
import { createStreamRelay } from './stream-relay.ts';

const parts: StreamPart[] = [
  { type: 'text-delta', text: 'Hello' },
  { type: 'text-delta', text: ' there' },
  { type: 'finish', finishReason: 'stop', usage: { inputTokens: 3, outputTokens: 2 } },
];
const completed: ReplyMessage = { kind: 'result', requestId: 'req_1', jobId: 'req_1', status: 'completed', attempts: 1, model: 'gpt-4o', output: {} };
const failed: ReplyMessage = {
  kind: 'result',
  requestId: 'req_1',
  jobId: 'req_1',
  status: 'failed',
  attempts: 1,
  error: { code: 'provider_unavailable', type: 'overloaded', status: 503, message: 'down' },
};

function sink() {
  let written = '';
  let ended = false;
  const value: SseSink & { readonly written: string } = {
    write: (text) => {
      written += text;
      return true;
    },
    drained: () => Promise.resolve(),
    end: () => void (ended = true),
    get finished() {
      return ended;
    },
    get written() {
      return written;
    },
  };
  return value;
}

const blocks = (text: string) => text.split('\n\n').filter(Boolean);
const idOf = (block: string) => /^id: (\d+)\n/.exec(block)?.[1];

/** One reading of a finished job: its stream (batches of one part each) or, when that is empty, its settled reply. */
async function read(endpoint: InferenceEndpoint, startAfter: number, stream: StreamPart[], reply: ReplyMessage, synthesize?: StreamPart[]) {
  const out = sink();
  const batches: StreamMessage[] = stream.map((part, index) => ({
    kind: 'parts',
    requestId: 'req_1',
    seq: index + 1,
    parts: [part],
    ...(index === 0 ? { model: 'gpt-4o' } : {}),
  }));
  const relay = createStreamRelay({
    sink: out,
    renderer: createStreamEventRenderer({ endpoint, requestId: 'req_1', createdAt: 1_700_000_000_000, includeUsage: true, eventIds: true }),
    startAfter,
    fallbackModel: 'gpt-4o',
    readAfter: async (seq) => batches.filter((message) => message.seq > seq),
    synthesize: () => synthesize,
    maxLagParts: 100,
  });
  await relay.start({ catchUp: true });
  await relay.settle(reply);
  await relay.done;
  return blocks(out.written);
}

describe('stream relay, resumed by event id', () => {
  for (const endpoint of ['/v1/chat/completions', '/v1/messages'] as const) {
    it(`gives ${endpoint} events ids 1, 2, 3 ... and, after each id, exactly the rest`, async () => {
      const full = await read(endpoint, 0, parts, completed);
      expect(full.map(idOf)).toEqual(full.map((_, index) => String(index + 1)));
      for (let after = 1; after < full.length; after++) expect(await read(endpoint, after, parts, completed)).toEqual(full.slice(after));
    });
  }

  it('answers a resume at or past the end with the event that ended the stream', async () => {
    const full = await read('/v1/chat/completions', 0, parts, completed);
    expect(full.at(-1)).toBe(`id: ${full.length}\ndata: [DONE]`);
    expect(await read('/v1/chat/completions', full.length, parts, completed)).toEqual([full.at(-1)]);
    expect(await read('/v1/chat/completions', full.length + 50, parts, completed)).toEqual([full.at(-1)]);
  });

  it('resumes a job told again from its stored output within that telling', async () => {
    const full = await read('/v1/messages', 0, [], completed, parts);
    expect(full.length).toBeGreaterThan(3);
    for (let after = 1; after < full.length; after++) expect(await read('/v1/messages', after, [], completed, parts)).toEqual(full.slice(after));
  });

  it('numbers the error of a job that failed mid-stream as an event of the stream', async () => {
    const full = await read('/v1/chat/completions', 0, parts.slice(0, 2), failed);
    expect(full.at(-1)).toMatch(new RegExp(`^id: ${full.length}\\ndata: \\{"error"`));
    expect(await read('/v1/chat/completions', full.length - 1, parts.slice(0, 2), failed)).toEqual([full.at(-1)]);
    expect(await read('/v1/chat/completions', full.length, parts.slice(0, 2), failed)).toEqual([full.at(-1)]);
  });
});
