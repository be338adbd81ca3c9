// GET /v1/jobs/{id}/events: replay, resume after a forced disconnect, then live, then
// the format's terminator.
import { beforeAll, describe, expect, it } from 'vitest';
import { expectedMockAnswer } from '@switchyard/testing';
import { useGateway } from '../support/use-gateway.ts';
import { createJob as createJobOn } from '../support/jobs.ts';
import { readSseEvents, type SseEvent } from '../support/sse-events.ts';

const upstreamKey = 'sk-upstream-openai-0123456789';
const longText = Array.from({ length: 150 }, (_, index) => `token${index}`).join(' ');
const question = 'Stream me something long';
const messages = [{ role: 'user', content: question }];

const gateway = useGateway({
  upstreams: { openai: { kind: 'openai', apiKey: upstreamKey } },
  overrides: ({ openai }) => ({ providers: { openai: { apiKey: upstreamKey, baseUrl: openai.url } } }),
});
const upstream = gateway.upstreams.openai;

beforeAll(() => upstream.behave('gpt-4o', { tokenDelayMs: 5, text: longText }));

/** Reads SSE events; with `stopAfter`, drops the connection once that many have arrived. */
const readEvents = (path: string, options: { headers?: Record<string, string>; stopAfter?: number; key?: string } = {}) =>
  readSseEvents(`${gateway.url}${path}`, {
    apiKey: options.key ?? gateway.apiKey,
    ...(options.headers ? { headers: options.headers } : {}),
    ...(options.stopAfter !== undefined ? { stopAfter: options.stopAfter } : {}),
  });

const createJob = (endpoint: string, body: Record<string, unknown>) => createJobOn(gateway, endpoint, body);

const openAIText = (events: SseEvent[]) =>
  events
    .filter((event) => event.data !== '[DONE]')
    .map((event) => (JSON.parse(event.data) as { choices: { delta: { content?: string } }[] }).choices[0]?.delta.content ?? '')
    .join('');
const anthropicText = (events: SseEvent[]) =>
  events
    .filter((event) => event.event === 'content_block_delta')
    .map((event) => (JSON.parse(event.data) as { delta: { text: string } }).delta.text)
    .join('');
const ids = (events: SseEvent[]) => events.map((event) => Number(event.id));

describe('job events', () => {
  it('resumes an OpenAI-format stream after a forced disconnect with exactly the missing parts', async () => {
    const id = await createJob('/v1/chat/completions', { model: 'gpt-4o', messages, stream: true, stream_options: { include_usage: true } });
    const first = await readEvents(`/v1/jobs/${id}/events`, { stopAfter: 30 });
    expect(first.status).toBe(200);
    const lastId = Number(first.events.at(-1)!.id);
    // Dropped mid-stream: the terminator had not arrived.
    expect(first.events.some((event) => event.data === '[DONE]')).toBe(false);
    // One id per event: the role chunk and the first delta come from one part but are two events.
    expect(ids(first.events)).toEqual(Array.from({ length: 30 }, (_, index) => index + 1));

    const second = await readEvents(`/v1/jobs/${id}/events`, { headers: { 'last-event-id': String(lastId) } });
    const secondIds = [...new Set(ids(second.events))];
    expect(secondIds).toEqual(Array.from({ length: secondIds.length }, (_, index) => lastId + 1 + index));
    const expected = expectedMockAnswer([question], question, { text: longText });
    expect(openAIText(first.events) + openAIText(second.events)).toBe(expected.text);
    expect(second.events.at(-1)!.data).toBe('[DONE]');
    const usageChunk = JSON.parse(second.events.at(-2)!.data) as { usage: { prompt_tokens: number; completion_tokens: number } };
    expect(usageChunk.usage).toMatchObject({ prompt_tokens: expected.inputTokens, completion_tokens: expected.outputTokens });

    // Once finished, the same resume point replays the very same events.
    const replay = await readEvents(`/v1/jobs/${id}/events?starting_after=${lastId}`);
    expect(replay.events).toEqual(second.events);
  });

  it('resumes an Anthropic-format stream without restarting the message', async () => {
    const id = await createJob('/v1/messages', { model: 'gpt-4o', max_tokens: 1000, messages, stream: true });
    const first = await readEvents(`/v1/jobs/${id}/events`, { stopAfter: 12 });
    expect(first.events.slice(0, 3).map((event) => event.event)).toEqual(['message_start', 'content_block_start', 'content_block_delta']);
    const lastId = first.events.at(-1)!.id!;
    const second = await readEvents(`/v1/jobs/${id}/events`, { headers: { 'last-event-id': lastId } });
    expect(second.events.map((event) => event.event)).not.toContain('message_start');
    expect(second.events.slice(-3).map((event) => event.event)).toEqual(['content_block_stop', 'message_delta', 'message_stop']);
    expect(anthropicText(first.events) + anthropicText(second.events)).toBe(longText);
  });

  it('tells a job that did not stream from its stored output, and resumes within that telling', async () => {
    const id = await createJob('/v1/chat/completions', { model: 'gpt-4o-mini', messages });
    await expect
      .poll(
        async () =>
          ((await (await fetch(`${gateway.url}/v1/jobs/${id}`, { headers: { authorization: `Bearer ${gateway.apiKey}` } })).json()) as { status: string })
            .status,
      )
      .toBe('completed');
    const told = await readEvents(`/v1/jobs/${id}/events`);
    expect(openAIText(told.events)).toBe(expectedMockAnswer([question], question).text);
    expect(told.events.at(-1)!.data).toBe('[DONE]');
    const resumed = await readEvents(`/v1/jobs/${id}/events`, { headers: { 'last-event-id': '2' } });
    expect(resumed.status).toBe(200);
    expect(resumed.events).toEqual(told.events.slice(2));
  });

  it('waits for a job still running that does not stream, then tells it', async () => {
    upstream.behave('gpt-4o-mini', { latencyMs: 300 });
    const id = await createJob('/v1/chat/completions', { model: 'gpt-4o-mini', messages });
    const told = await readEvents(`/v1/jobs/${id}/events`);
    expect(openAIText(told.events)).toBe(expectedMockAnswer([question], question).text);
    upstream.behave('gpt-4o-mini', {});
  });

  it("hides another org's job and rejects a malformed resume point", async () => {
    const id = await createJob('/v1/chat/completions', { model: 'gpt-4o', messages, stream: true });
    const other = await gateway.createTenant('org-events');
    const peek = await readEvents(`/v1/jobs/${id}/events`, { key: other.apiKey });
    expect(peek.status).toBe(404);
    const malformed = await readEvents(`/v1/jobs/${id}/events?starting_after=-1`);
    expect(malformed.status).toBe(400);
    expect(malformed.body).toMatchObject({ error: { param: 'starting_after' } });
  });
});
