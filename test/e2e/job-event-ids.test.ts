// Event ids of GET /v1/jobs/{id}/events over real SSE: one id per event (1, 2, 3 ...),
// and a resume after any id gives exactly the rest of the stream, for a running job, a
// finished one, and a finished one whose token stream has expired.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMockOpenAIUpstream, type MockUpstream } from '@switchyard/testing';
import { createRedis, streamKey } from '@switchyard/queue';
import { startTestGateway, type TestGateway } from '../support/gateway.ts';
import { createJob as createJobOn } from '../support/jobs.ts';
import { readSseEvents, type SseEvent } from '../support/sse-events.ts';

const upstreamKey = 'sk-upstream-openai-0123456789';
const text = Array.from({ length: 12 }, (_, index) => `word${index}`).join(' ');
const messages = [{ role: 'user', content: 'Count for me' }];

let upstream: MockUpstream;
let gateway: TestGateway;

beforeAll(async () => {
  upstream = await startMockOpenAIUpstream({ apiKey: upstreamKey });
  gateway = await startTestGateway({ overrides: { providers: { openai: { apiKey: upstreamKey, baseUrl: upstream.url } } } });
  upstream.behave('gpt-4o', { text });
  upstream.behave('gpt-4o-mini', { text, tokenDelayMs: 20 });
});

afterAll(async () => {
  await gateway?.stop();
  await upstream?.close();
});

const eventsUrl = (id: string) => `${gateway.url}/v1/jobs/${id}/events`;
const read = (id: string, lastEventId?: string, onEvent?: (event: SseEvent, index: number) => void) =>
  readSseEvents(eventsUrl(id), { apiKey: gateway.apiKey, headers: lastEventId === undefined ? {} : { 'last-event-id': lastEventId }, onEvent });

const createJob = (endpoint: string, body: Record<string, unknown>) => createJobOn(gateway, endpoint, body);

async function finished(id: string): Promise<void> {
  await expect
    .poll(
      async () =>
        ((await (await fetch(`${gateway.url}/v1/jobs/${id}`, { headers: { authorization: `Bearer ${gateway.apiKey}` } })).json()) as { status: string }).status,
    )
    .toBe('completed');
}

function expectNumberedOneByOne(events: SseEvent[]): void {
  expect(events.length).toBeGreaterThan(3);
  expect(events.map((event) => event.id)).toEqual(events.map((_, index) => String(index + 1)));
}

/** After every id of the full stream, a resume gives exactly its tail; at or past the end, the ending event alone. */
async function expectResumesAfterEveryId(id: string, full: SseEvent[]): Promise<void> {
  for (let after = 1; after < full.length; after++) expect((await read(id, String(after))).events, `after ${after}`).toEqual(full.slice(after));
  expect((await read(id, String(full.length))).events).toEqual([full.at(-1)]);
  expect((await read(id, String(full.length + 100))).events).toEqual([full.at(-1)]);
}

describe('job event ids', () => {
  it('numbers every event of a finished OpenAI-format stream and resumes after each', async () => {
    const id = await createJob('/v1/chat/completions', { model: 'gpt-4o', messages, stream: true, stream_options: { include_usage: true } });
    await finished(id);
    const full = (await read(id)).events;
    expectNumberedOneByOne(full);
    expect(full.at(-1)!.data).toBe('[DONE]');
    await expectResumesAfterEveryId(id, full);
  });

  it('numbers every event of a running Anthropic-format stream and resumes after each while it runs', async () => {
    const id = await createJob('/v1/messages', { model: 'gpt-4o-mini', max_tokens: 100, messages, stream: true });
    // A resume starts the moment each event arrives, most of them while the job is still streaming.
    const resumes: { after: number; read: ReturnType<typeof read> }[] = [];
    const full = (await read(id, undefined, (event, index) => resumes.push({ after: index + 1, read: read(id, event.id) }))).events;
    expectNumberedOneByOne(full);
    expect(full.at(-1)!.event).toBe('message_stop');
    for (const resume of resumes) {
      const expected = resume.after < full.length ? full.slice(resume.after) : [full.at(-1)];
      expect((await resume.read).events, `after ${resume.after}`).toEqual(expected);
    }
  });

  it('resumes a finished job that never streamed within the telling of its stored output', async () => {
    const id = await createJob('/v1/chat/completions', { model: 'gpt-4o', messages });
    await finished(id);
    const full = (await read(id)).events;
    expectNumberedOneByOne(full);
    expect(full.at(-1)!.data).toBe('[DONE]');
    const told = full
      .filter((event) => event.data !== '[DONE]')
      .map((event) => (JSON.parse(event.data) as { choices: { delta: { content?: string } }[] }).choices[0]?.delta.content ?? '');
    expect(told.join('')).toBe(text);
    await expectResumesAfterEveryId(id, full);
  });

  it('tells a streamed job whose token stream expired from the start, and refuses to resume it (its ids are gone)', async () => {
    const id = await createJob('/v1/chat/completions', { model: 'gpt-4o', messages, stream: true });
    await finished(id);
    const redis = createRedis(gateway.redisUrl, { role: 'producer' });
    try {
      await redis.del(streamKey(gateway.prefix, id));
    } finally {
      redis.disconnect();
    }
    const full = (await read(id)).events;
    expect(full.at(-1)!.data).toBe('[DONE]');
    const resumed = await fetch(`${gateway.url}/v1/jobs/${id}/events`, { headers: { authorization: `Bearer ${gateway.apiKey}`, 'last-event-id': '2' } });
    expect(resumed.status).toBe(410);
  });
});
