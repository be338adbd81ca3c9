// Streams that go wrong: the client leaves, the upstream dies mid-answer, or fails
// before the first token.
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { beforeEach, describe, expect, it } from 'vitest';
import { expectedMockAnswer, wordPieces } from '@switchyard/testing';
import type { AttemptEvent } from '@switchyard/worker';
import { useGateway } from '../support/use-gateway.ts';

const openAIKey = 'sk-upstream-openai-0123456789';
const anthropicKey = 'sk-ant-upstream-0123456789';
const longText = Array.from({ length: 120 }, (_, index) => `word${index}`).join(' ');
const question = 'Tell me a long story';
const messages = [{ role: 'user' as const, content: question }];

const attempts: AttemptEvent[] = [];

const gateway = useGateway({
  upstreams: { openai: { kind: 'openai', apiKey: openAIKey }, anthropic: { kind: 'anthropic', apiKey: anthropicKey } },
  overrides: (upstreams) => ({
    providers: {
      // Two attempts on OpenAI: a retry after tokens were sent would show.
      openai: { apiKey: openAIKey, baseUrl: upstreams.openai.url, attempts: 2 },
      anthropic: { apiKey: anthropicKey, baseUrl: upstreams.anthropic.url, attempts: 1 },
    },
  }),
  workerOptions: { onAttemptFinished: async (event) => void attempts.push(event) },
});
const openAIUpstream = gateway.upstreams.openai;
const anthropicUpstream = gateway.upstreams.anthropic;
const openai = gateway.openai;
const anthropic = gateway.anthropic;

beforeEach(() => gateway.resetUpstreams());

const jobStatus = async (id: string) => {
  const response = await fetch(`${gateway.url}/v1/jobs/${id}`, { headers: { authorization: `Bearer ${gateway.apiKey}` } });
  return ((await response.json()) as { status: string }).status;
};
const attemptOf = (requestId: string) => attempts.find((event) => event.data.requestId === requestId);

describe('a client that disconnects', () => {
  it('cancels the job, aborts the upstream request, and bills what was produced', async () => {
    openAIUpstream.behave('gpt-4o-mini', { tokenDelayMs: 20, text: longText });
    const { data: stream, response } = await openai.chat.completions.create({ model: 'gpt-4o-mini', messages, stream: true }).withResponse();
    const jobId = response.headers.get('x-job-id')!;
    let received = '';
    for await (const chunk of stream) {
      received += chunk.choices[0]?.delta.content ?? '';
      if (wordPieces(received).length >= 3) break;
    }
    // Leaving the loop closes the connection.
    await expect.poll(() => openAIUpstream.abortedRequests).toBe(1);
    await expect.poll(() => jobStatus(jobId)).toBe('cancelled');
    const attempt = attemptOf(jobId)!;
    expect(attempt.status).toBe('cancelled');
    expect(attempt.usage?.estimated).toBe(true);
    expect(attempt.usage!.outputTokens).toBeGreaterThanOrEqual(Math.ceil(received.length / 4));
    expect(attempt.usage!.outputTokens).toBeLessThan(Math.ceil(longText.length / 4));
    expect(attempt.usage!.inputTokens).toBe(Math.ceil(question.length / 4));
  });
});

describe('an upstream that fails mid-stream', () => {
  it('ends an OpenAI-format stream with an error chunk, without retrying', async () => {
    openAIUpstream.behave('gpt-4o', { failAfterTokens: 3, tokenDelayMs: 2, text: longText });
    const { data: stream, response } = await openai.chat.completions.create({ model: 'gpt-4o', messages, stream: true }).withResponse();
    let text = '';
    const error = await (async () => {
      for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? '';
    })().catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(OpenAI.APIError);
    expect((error as InstanceType<typeof OpenAI.APIError>).error).toMatchObject({ type: 'upstream_error', code: 'upstream_error' });
    expect(text).toBe(wordPieces(longText).slice(0, 3).join(''));
    const jobId = response.headers.get('x-job-id')!;
    await expect.poll(() => jobStatus(jobId)).toBe('failed');
    expect(openAIUpstream.requests).toHaveLength(1);
    expect(attemptOf(jobId)).toMatchObject({ status: 'failed', usage: { estimated: true } });
  });

  it('ends an Anthropic-format stream with an error event, without falling back', async () => {
    // claude-sonnet-4-5 falls back to claude-sonnet-4 and gpt-4o: neither may be called.
    anthropicUpstream.behave('*', { failAfterTokens: 4, tokenDelayMs: 2, text: longText });
    const stream = anthropic.messages.stream({ model: 'claude-sonnet-4-5', max_tokens: 500, messages });
    let text = '';
    stream.on('text', (delta) => (text += delta));
    const error = await stream.finalMessage().catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(Anthropic.APIError);
    expect((error as InstanceType<typeof Anthropic.APIError>).error).toMatchObject({ type: 'error', error: { type: 'overloaded_error' } });
    expect(text).toBe(wordPieces(longText).slice(0, 4).join(''));
    expect(anthropicUpstream.requests).toHaveLength(1);
    expect(openAIUpstream.requests).toHaveLength(0);
  });

  it("ends a stream served across formats with the client format's error", async () => {
    anthropicUpstream.behave('*', { failAfterTokens: 2, text: longText });
    const raw = await fetch(`${gateway.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${gateway.apiKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'claude-sonnet-4-5', messages, stream: true }),
    });
    const events = (await raw.text()).split('\n\n').filter(Boolean);
    expect(events.at(-1)).toMatch(/^data: \{"error":\{"message":".+","type":"overloaded","code":"upstream_overloaded"\}\}$/);
    expect(events).not.toContain('data: [DONE]');
  });
});

describe('an upstream that fails before the first token', () => {
  it('still falls back, and the client never notices', async () => {
    anthropicUpstream.behave('*', { status: 500 });
    const stream = anthropic.messages.stream({ model: 'claude-haiku-4-5', max_tokens: 500, messages });
    const message = await stream.finalMessage();
    const expected = expectedMockAnswer([question], question);
    expect(message.content).toEqual([{ type: 'text', text: expected.text }]);
    // The chain ends on gpt-4o-mini: the stream names the model that served.
    expect(message.model).toBe('gpt-4o-mini');
    expect(anthropicUpstream.requests).toHaveLength(3);
  });

  it('sends the error in the stream when nothing can serve it', async () => {
    openAIUpstream.behave('gpt-4o', { status: 400, errorMessage: 'bad request upstream' });
    const { data: stream } = await openai.chat.completions.create({ model: 'gpt-4o', messages, stream: true }).withResponse();
    let chunks = 0;
    const error = await (async () => {
      for await (const _chunk of stream) chunks++;
    })().catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(OpenAI.APIError);
    expect((error as InstanceType<typeof OpenAI.APIError>).error).toMatchObject({ code: 'invalid_request' });
    expect(chunks).toBe(0);
  });
});
