import { GatewayError, type ChatRequest, type StreamPart } from '@switchyard/core';
import { describe, expect, it, vi } from 'vitest';
import { collect, providerConfig, signal } from '../__fixtures__/provider-config.ts';
import { createProvider } from '../registry.ts';

const mock = createProvider(providerConfig({ name: 'mock', kind: 'mock' }));
const request: ChatRequest = {
  model: 'mock-fast',
  messages: [
    { role: 'system', content: 'You are terse.' },
    { role: 'user', content: [{ type: 'text', text: 'Tell me a joke' }] },
  ],
};
// 'You are terse.' (14) + 'Tell me a joke' (14) = 28 characters -> 7 tokens.
const text = 'This is a mock response to: Tell me a joke';

describe('mock provider', () => {
  it('lists the models it ships with', async () => {
    expect(await mock.listModels!({ signal: signal() })).toEqual([
      { id: 'mock-fast', ownedBy: 'mock' },
      { id: 'mock-slow', ownedBy: 'mock' },
      { id: 'mock-embed', ownedBy: 'mock' },
    ]);
  });

  it('answers deterministically', async () => {
    const response = await mock.generate(request, { signal: signal() });
    expect(response.content).toEqual([{ type: 'text', text }]);
    expect(response.finishReason).toBe('stop');
    expect(response.usage).toEqual({ inputTokens: 7, outputTokens: 10 });
    expect(response.model).toBe('mock-fast');
  });

  it('echoes only the first 200 characters of the last user text', async () => {
    const long = 'word '.repeat(100);
    const response = await mock.generate({ model: 'm', messages: [{ role: 'user', content: [{ type: 'text', text: long }] }] }, { signal: signal() });
    expect(response.content[0]).toEqual({ type: 'text', text: `This is a mock response to: ${long.slice(0, 200)}` });
    expect(response.usage.inputTokens).toBe(125);
  });

  it('cuts the answer to maxTokens words', async () => {
    const response = await mock.generate({ ...request, maxTokens: 3 }, { signal: signal() });
    expect(response.content).toEqual([{ type: 'text', text: 'This is a' }]);
    expect(response).toMatchObject({ finishReason: 'length', usage: { outputTokens: 3 } });
  });

  it('calls the forced tool', async () => {
    const tools = [
      { name: 'first', parameters: {} },
      { name: 'second', parameters: {} },
    ];
    const required = await mock.generate({ ...request, tools, toolChoice: 'required' }, { signal: signal() });
    expect(required.toolCalls).toEqual([{ id: expect.stringMatching(/^call_/), name: 'first', arguments: '{}' }]);
    expect(required.finishReason).toBe('tool_calls');
    const named = await mock.generate({ ...request, tools, toolChoice: { type: 'tool', name: 'second' } }, { signal: signal() });
    expect(named.toolCalls[0]?.name).toBe('second');
    const auto = await mock.generate({ ...request, tools, toolChoice: 'auto' }, { signal: signal() });
    expect(auto.toolCalls).toEqual([]);
  });

  it('streams one delta per word, then finish', async () => {
    const parts = await collect(mock.stream(request, { signal: signal() }));
    const deltas = parts.flatMap((part) => (part.type === 'text-delta' ? [part.text] : []));
    expect(deltas.slice(0, 3)).toEqual(['This', ' is', ' a']);
    expect(deltas.join('')).toBe(text);
    expect(parts.at(-1)).toMatchObject({ type: 'finish', finishReason: 'stop', usage: { inputTokens: 7, outputTokens: 10 }, model: 'mock-fast' });
  });

  // On a fake clock: what arrives when is exact, whatever the machine's load.
  it('waits latencyMs and tokenDelayMs from the model options', async () => {
    vi.useFakeTimers();
    try {
      const received: StreamPart[] = [];
      const streamed = (async () => {
        for await (const part of mock.stream(request, { signal: signal(), modelOptions: { latencyMs: 60, tokenDelayMs: 10 } })) received.push(part);
      })();
      await vi.advanceTimersByTimeAsync(59);
      expect(received).toHaveLength(0);
      await vi.advanceTimersByTimeAsync(1);
      expect(received).toHaveLength(1);
      // Ten words, 10 ms apart: the last one (and the finish) at 60 + 9 * 10 ms.
      await vi.advanceTimersByTimeAsync(89);
      expect(received).toHaveLength(9);
      await vi.advanceTimersByTimeAsync(1);
      await streamed;
      expect(received).toHaveLength(11);
    } finally {
      vi.useRealTimers();
    }
  });

  it('stops promptly with cancelled when aborted', async () => {
    vi.useFakeTimers();
    try {
      const controller = new AbortController();
      setTimeout(() => controller.abort(), 20);
      const generated = mock.generate(request, { signal: controller.signal, modelOptions: { latencyMs: 5_000 } });
      let settled = false;
      generated.catch(() => {}).finally(() => (settled = true));
      // The clock goes only as far as the abort: the 5 s latency cannot be what ends the call.
      await vi.advanceTimersByTimeAsync(20);
      expect(settled).toBe(true);
      await expect(generated).rejects.toMatchObject({ code: 'cancelled' });
    } finally {
      vi.useRealTimers();
    }

    const streamController = new AbortController();
    const received: StreamPart[] = [];
    const error = await (async () => {
      for await (const part of mock.stream(request, { signal: streamController.signal, modelOptions: { tokenDelayMs: 1_000 } })) {
        received.push(part);
        streamController.abort();
      }
    })().catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(GatewayError);
    expect(error).toMatchObject({ code: 'cancelled' });
    expect(received).toHaveLength(1);
  });

  it('embeds as deterministic unit vectors', async () => {
    const first = await mock.embed!({ model: 'mock-embed', input: ['alpha', 'beta'], dimensions: 16 }, { signal: signal() });
    const again = await mock.embed!({ model: 'mock-embed', input: ['alpha'], dimensions: 16 }, { signal: signal() });
    expect(first.embeddings[0]).toEqual(again.embeddings[0]);
    expect(first.embeddings[0]).not.toEqual(first.embeddings[1]);
    expect(Math.hypot(...first.embeddings[0]!)).toBeCloseTo(1, 10);
    expect(first.embeddings[0]).toHaveLength(16);
    expect((await mock.embed!({ model: 'mock-embed', input: ['x'] }, { signal: signal() })).embeddings[0]).toHaveLength(8);
  });

  it('completes with the same rule on the prompt', async () => {
    const completion = await mock.complete!({ model: 'mock-fast', prompt: 'Once upon' }, { signal: signal() });
    expect(completion).toMatchObject({ text: 'This is a mock response to: Once upon', finishReason: 'stop', usage: { inputTokens: 3, outputTokens: 8 } });
  });
});
