import { Readable } from 'node:stream';
import type { StreamPart } from '@switchyard/core';
import { MockAgent } from 'undici';
import { describe, expect, it } from 'vitest';
import { jsonLines } from './text-splitters.ts';
import { streamCall, streamDecoder, type StreamDecoder } from './run-call.ts';
import type { HttpContext } from './http-context.ts';

const context: HttpContext = { provider: 'test', secrets: [], dispatcher: new MockAgent(), timeoutMs: 1_000, maxResponseBytes: 1_000 };

const usage = { inputTokens: 1, outputTokens: 1 };

/** Each NDJSON line becomes a text part; the end adds a finish part. */
function lineDecoder(): StreamDecoder {
  return streamDecoder(
    jsonLines(),
    (batch) => batch.map((text): StreamPart => ({ type: 'text-delta', text })),
    () => [{ type: 'finish', finishReason: 'stop', usage }],
  );
}

const encoder = new TextEncoder();

async function collect(iterable: AsyncIterable<StreamPart>): Promise<StreamPart[]> {
  const parts: StreamPart[] = [];
  for await (const part of iterable) parts.push(part);
  return parts;
}

describe('streamCall', () => {
  it('decodes multi-byte characters split across chunks, and ends with what the body left', async () => {
    const bytes = encoder.encode('héllo\nwörld');
    const split = bytes.indexOf(0xc3) + 1; // inside the two-byte é
    let signal: AbortSignal | undefined;
    const parts = await collect(
      streamCall(context, new AbortController().signal, async (call) => {
        signal = call.signal;
        return { body: Readable.from([bytes.slice(0, split), bytes.slice(split)]), decoder: lineDecoder() };
      }),
    );
    expect(parts).toEqual([
      { type: 'text-delta', text: 'héllo' },
      { type: 'text-delta', text: 'wörld' },
      { type: 'finish', finishReason: 'stop', usage },
    ]);
    // Read to its end: nothing to abort.
    expect(signal?.aborted).toBe(false);
  });

  it('aborts the call and destroys the body when the consumer stops early', async () => {
    const body = Readable.from([encoder.encode('1\n'), encoder.encode('2\n')]);
    let signal: AbortSignal | undefined;
    const stream = streamCall(context, new AbortController().signal, async (call) => {
      signal = call.signal;
      return { body, decoder: lineDecoder() };
    });
    for await (const part of stream) {
      expect(part).toEqual({ type: 'text-delta', text: '1' });
      break;
    }
    expect(signal?.aborted).toBe(true);
    expect(body.destroyed).toBe(true);
  });

  it('throws a failure before the first part, and ends with an error part after it', async () => {
    const failing = (chunks: string[]) =>
      streamCall(context, new AbortController().signal, async () => ({
        body: Readable.from(
          (async function* () {
            for (const chunk of chunks) yield encoder.encode(chunk);
            throw new Error('socket hang up');
          })(),
        ),
        decoder: lineDecoder(),
      }));
    await expect(collect(failing([]))).rejects.toMatchObject({ code: 'upstream_error', retryable: true });
    expect(await collect(failing(['a\n']))).toEqual([
      { type: 'text-delta', text: 'a' },
      { type: 'error', error: { code: 'upstream_error', message: 'test closed the connection mid-response', retryable: true } },
    ]);
  });

  it('stops reading an upstream that answers more than maxResponseBytes', async () => {
    const body = Readable.from(Array.from({ length: 20 }, () => encoder.encode(`${'x'.repeat(99)}\n`)));
    const parts = await collect(streamCall(context, new AbortController().signal, async () => ({ body, decoder: lineDecoder() })));
    expect(parts.filter((part) => part.type === 'text-delta')).toHaveLength(10);
    expect(parts.at(-1)).toMatchObject({ type: 'error', error: { code: 'upstream_error', retryable: false } });
    expect(body.destroyed).toBe(true);
  });

  it('throws cancelled when the caller has already given up', async () => {
    const caller = new AbortController();
    caller.abort();
    let opened = false;
    const stream = streamCall(context, caller.signal, async () => {
      opened = true;
      return { body: Readable.from([]), decoder: lineDecoder() };
    });
    await expect(collect(stream)).rejects.toMatchObject({ code: 'cancelled' });
    expect(opened).toBe(false);
  });
});
