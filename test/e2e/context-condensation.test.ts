// Context condensation end to end through the official OpenAI SDK, against a mock upstream
// that refuses (400 `context_length_exceeded`) any prompt longer than 700 characters: the
// gateway drops (or summarizes) the oldest turns and calls again once, says so in
// `x-switchyard-condensed`, and bills the summary call like any attempt.
import OpenAI from 'openai';
import { beforeAll, describe, expect, it } from 'vitest';
import { condensationSummaryKey } from '@switchyard/queue';
import { eventually, type RecordedRequest } from '@switchyard/testing';
import { useGateway } from '../support/use-gateway.ts';

const upstreamKey = 'sk-upstream-condensation-0123456789';
const promptLimit = 700;
const summaryText = 'The user asked about apples; the lookup tool said they are red.';

const gateway = useGateway({
  upstreams: { openai: { kind: 'openai', apiKey: upstreamKey } },
  overrides: ({ openai }) => ({
    providers: {
      openai: { apiKey: upstreamKey, baseUrl: openai.url, attempts: 1 },
      'openai-retrying': { kind: 'openai-compatible', apiKey: upstreamKey, baseUrl: openai.url, attempts: 2 },
    },
    models: {
      'long-truncate': { provider: 'openai', upstreamModel: 'up-truncate', condensation: { strategy: 'truncate' } },
      'long-summarize': {
        provider: 'openai',
        upstreamModel: 'up-summarize',
        pricing: { input: '1.00', output: '2.00' },
        condensation: { strategy: 'summarize', summaryModel: 'summarizer', summaryMaxTokens: 64 },
      },
      summarizer: { provider: 'openai', upstreamModel: 'up-summarizer', pricing: { input: '0.50', output: '1.00' } },
      'long-plain': { provider: 'openai', upstreamModel: 'up-plain' },
      // Small enough that the gateway's own estimate says the conversation does not fit.
      'small-summarize': {
        provider: 'openai-retrying',
        upstreamModel: 'up-small-retry',
        contextLength: 200,
        condensation: { strategy: 'summarize', summaryModel: 'summarizer', summaryMaxTokens: 64 },
      },
      'small-context': { provider: 'openai', upstreamModel: 'up-small', contextLength: 200, condensation: { strategy: 'truncate' } },
    },
  }),
});
const upstream = gateway.upstreams.openai;
const openai = gateway.openai;

const filler = (label: string) => `${label} ${'x'.repeat(199 - label.length)}`;
const system = 'You are a terse assistant.';
const lastQuestion = 'And what is the answer now?';

/** 1053 characters of text: the old turns (200 each, a tool call with its result among them), then the question. */
const conversation: OpenAI.ChatCompletionMessageParam[] = [
  { role: 'system', content: system },
  { role: 'user', content: filler('old-question-1') },
  { role: 'assistant', content: null, tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'lookup', arguments: '{}' } }] },
  { role: 'tool', tool_call_id: 'call_1', content: filler('old-tool-result-1') },
  { role: 'assistant', content: filler('old-answer-1') },
  { role: 'user', content: filler('old-question-2') },
  { role: 'assistant', content: filler('old-answer-2') },
  { role: 'user', content: lastQuestion },
];

const requestsFor = (model: string): RecordedRequest[] =>
  upstream.requests.filter((request) => (request.body as { model?: string } | undefined)?.model === model);
const messagesOf = (request: RecordedRequest) => (request.body as { messages: { role: string; content: unknown; tool_calls?: unknown }[] }).messages;
const textOfMessages = (request: RecordedRequest) => JSON.stringify(messagesOf(request));

function usageEventsOf(requestId: string, count: number) {
  return eventually(`the ledger to record ${count} attempts of ${requestId}`, async () => {
    const rows = await gateway.database.db
      .selectFrom('usage_events')
      .select(['attempt', 'model', 'status', 'input_tokens', 'output_tokens'])
      .where('request_id', '=', requestId)
      .orderBy('attempt')
      .execute();
    return rows.length === count && rows;
  });
}

beforeAll(() => {
  upstream.behave('*', { maxPromptCharacters: promptLimit });
  upstream.behave('up-summarizer', { text: summaryText, usage: { input: 120, output: 14 } });
});

describe('truncate', () => {
  let answer: OpenAI.ChatCompletion;
  let response: Response;

  beforeAll(async () => {
    ({ data: answer, response } = await openai.chat.completions.create({ model: 'long-truncate', messages: conversation }).withResponse());
  });

  it('answers after dropping the oldest turns, and says so', () => {
    expect(answer.choices[0]!.message.content).toContain('echo');
    expect(response.headers.get('x-switchyard-condensed')).toBe('truncated');
    // The refused call, then the condensed one.
    expect(response.headers.get('x-switchyard-attempts')).toBe('2');
  });

  it('sent the upstream the condensed request: oldest turns gone, the tool call with its result, system and last question kept', () => {
    const [refused, condensed] = requestsFor('up-truncate');
    expect(messagesOf(refused!)).toHaveLength(conversation.length);
    const messages = messagesOf(condensed!);
    expect(messages.map((message) => message.role)).toEqual(['system', 'assistant', 'user', 'assistant', 'user']);
    const text = textOfMessages(condensed!);
    for (const gone of ['old-question-1', 'old-tool-result-1', 'call_1', 'lookup']) expect(text).not.toContain(gone);
    for (const kept of ['old-answer-1', 'old-question-2', 'old-answer-2']) expect(text).toContain(kept);
    expect(messages[0]!.content).toBe(system);
    expect(messages.at(-1)!.content).toBe(lastQuestion);
  });

  it("bills the answer's usage as that of the condensed request", async () => {
    const events = await usageEventsOf(response.headers.get('x-job-id')!, 2);
    expect(events.map((event) => [event.attempt, event.status])).toEqual([
      [1, 'failed'],
      [2, 'completed'],
    ]);
    expect(Number(events[1]!.input_tokens)).toBe(answer.usage!.prompt_tokens);
  });

  it('condenses on the gateway estimate alone, before any call, when the model context is known to be too small', async () => {
    const before = requestsFor('up-small').length;
    const { response: small } = await openai.chat.completions.create({ model: 'small-context', messages: conversation }).withResponse();
    expect(small.headers.get('x-switchyard-condensed')).toBe('truncated');
    const calls = requestsFor('up-small').slice(before);
    expect(calls).toHaveLength(1);
    expect(messagesOf(calls[0]!).length).toBeLessThan(conversation.length);
  });

  it('applies to a streamed request before its first token', async () => {
    const before = requestsFor('up-truncate').length;
    const stream = await openai.chat.completions.create({ model: 'long-truncate', messages: conversation, stream: true });
    let text = '';
    for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? '';
    expect(text).toContain('echo');
    const calls = requestsFor('up-truncate').slice(before);
    expect(calls).toHaveLength(2);
    expect(textOfMessages(calls[1]!)).not.toContain('old-question-1');
  });

  it('answers a clear 400 context_length_exceeded when only the system messages and the last question are left and still too long', async () => {
    const before = requestsFor('up-small').length;
    const error = await openai.chat.completions
      .create({ model: 'small-context', messages: [{ role: 'system', content: system }, conversation[1]!, { role: 'user', content: 'y'.repeat(1000) }] })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(OpenAI.BadRequestError);
    expect(error).toMatchObject({ status: 400, code: 'context_length_exceeded', type: 'invalid_request_error' });
    expect((error as Error).message).toMatch(/more than the 200 of model small-context/);
    expect(requestsFor('up-small').slice(before)).toHaveLength(0);
  });
});

describe('summarize', () => {
  let response: Response;
  let requestId: string;

  beforeAll(async () => {
    ({ response } = await openai.chat.completions.create({ model: 'long-summarize', messages: conversation }).withResponse());
    requestId = response.headers.get('x-job-id')!;
  });

  it('answers with the dropped turns replaced by their summary, written by the summary model', () => {
    expect(response.headers.get('x-switchyard-condensed')).toBe('summarized');
    const summaryCalls = requestsFor('up-summarizer');
    expect(summaryCalls).toHaveLength(1);
    expect(
      (summaryCalls[0]!.body as { max_tokens?: number; max_completion_tokens?: number }).max_completion_tokens ??
        (summaryCalls[0]!.body as { max_tokens?: number }).max_tokens,
    ).toBe(64);
    expect(textOfMessages(summaryCalls[0]!)).toContain('old-question-1');

    const [, condensed] = requestsFor('up-summarize');
    const messages = messagesOf(condensed!);
    expect(messages[0]!.content).toBe(system);
    expect(messages.at(-1)!.content).toBe(lastQuestion);
    const summary = messages.find((message) => typeof message.content === 'string' && message.content.includes(summaryText));
    expect(summary).toBeDefined();
    expect(messages.map((message) => message.role)).toEqual(['system', 'system', 'assistant', 'user']);
    for (const gone of ['old-question-1', 'old-tool-result-1', 'old-answer-1', 'old-question-2']) expect(textOfMessages(condensed!)).not.toContain(gone);
  });

  it('bills the summary call to the org as an attempt of the request', async () => {
    const events = await usageEventsOf(requestId, 3);
    expect(events.map((event) => [event.attempt, event.model, event.status])).toEqual([
      [1, 'long-summarize', 'failed'],
      [2, 'summarizer', 'completed'],
      [3, 'long-summarize', 'completed'],
    ]);
    expect([Number(events[1]!.input_tokens), Number(events[1]!.output_tokens)]).toEqual([120, 14]);
  });

  it('keeps the summary by content hash: the same conversation again makes no second summary call', async () => {
    const keys = await gateway.redis.keys(condensationSummaryKey(gateway.prefix, '*'));
    expect(keys).toHaveLength(1);
    const { response: again } = await openai.chat.completions.create({ model: 'long-summarize', messages: conversation }).withResponse();
    expect(again.headers.get('x-switchyard-condensed')).toBe('summarized');
    expect(requestsFor('up-summarizer')).toHaveLength(1);
    expect(textOfMessages(requestsFor('up-summarize').at(-1)!)).toContain(summaryText);
  });

  it('sets the async job object condensed field', async () => {
    const created = await fetch(`${gateway.url}/v1/jobs`, {
      method: 'POST',
      headers: { authorization: `Bearer ${gateway.apiKey}`, 'content-type': 'application/json', prefer: 'wait=30' },
      body: JSON.stringify({ endpoint: '/v1/chat/completions', body: { model: 'long-summarize', messages: conversation } }),
    });
    const job = (await created.json()) as { id: string; status: string; condensed?: string };
    const finished = await eventually('the job to complete', async () => {
      const read = (await (await fetch(`${gateway.url}/v1/jobs/${job.id}`, { headers: { authorization: `Bearer ${gateway.apiKey}` } })).json()) as typeof job;
      return read.status === 'completed' && read;
    });
    expect(finished.condensed).toBe('summarized');
    // The ledger's record keeps it for when Redis has let the job go.
    const row = await eventually('the ledger to record the job', () =>
      gateway.database.db.selectFrom('jobs').select(['status', 'condensed']).where('id', '=', job.id).where('status', '=', 'completed').executeTakeFirst(),
    );
    expect(row.condensed).toBe('summarized');
  });
});

describe('a retried condensed call', () => {
  it('numbers its attempts after those condensation spent, and reuses the cached summary', async () => {
    upstream.behave('up-small-retry', { status: 500, failTimes: 1 });
    const summariesBefore = requestsFor('up-summarizer').length;
    const { response } = await openai.chat.completions.create({ model: 'small-summarize', messages: conversation }).withResponse();
    expect(response.headers.get('x-switchyard-condensed')).toBe('summarized');
    expect(response.headers.get('x-switchyard-attempts')).toBe('3');
    expect(requestsFor('up-summarizer').length - summariesBefore).toBe(1);
    const events = await usageEventsOf(response.headers.get('x-job-id')!, 3);
    expect(events.map((event) => [event.attempt, event.model, event.status])).toEqual([
      [1, 'summarizer', 'completed'],
      [2, 'small-summarize', 'failed'],
      [3, 'small-summarize', 'completed'],
    ]);
  });
});

describe('off by default', () => {
  it("lets the provider's 400 context_length_exceeded stand for a model without condensation", async () => {
    const error = await openai.chat.completions.create({ model: 'long-plain', messages: conversation }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(OpenAI.BadRequestError);
    expect(error).toMatchObject({ status: 400, code: 'context_length_exceeded', type: 'invalid_request_error' });
    expect(requestsFor('up-plain')).toHaveLength(1);
  });

  it('condenses a model without condensation when the request asks with x-switchyard-condense', async () => {
    const { response } = await openai.chat.completions
      .create({ model: 'long-plain', messages: conversation }, { headers: { 'x-switchyard-condense': 'truncate' } })
      .withResponse();
    expect(response.headers.get('x-switchyard-condensed')).toBe('truncated');
  });

  it('refuses an unknown x-switchyard-condense value', async () => {
    const error = await openai.chat.completions
      .create({ model: 'long-truncate', messages: conversation }, { headers: { 'x-switchyard-condense': 'shrink' } })
      .catch((caught: unknown) => caught);
    expect(error).toMatchObject({ status: 400, code: 'invalid_request', param: 'x-switchyard-condense' });
  });

  it('lets a request turn condensation off with x-switchyard-condense: off', async () => {
    const error = await openai.chat.completions
      .create({ model: 'long-truncate', messages: conversation }, { headers: { 'x-switchyard-condense': 'off' } })
      .catch((caught: unknown) => caught);
    expect(error).toMatchObject({ status: 400, code: 'context_length_exceeded' });
  });
});
