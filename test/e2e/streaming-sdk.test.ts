// Streaming through the queue with both official SDKs' streaming helpers, in both client
// formats, against both provider dialects: the text and usage are what the upstream sent.
import { beforeAll, describe, expect, it } from 'vitest';
import { expectedMockAnswer } from '@switchyard/testing';
import { useGateway } from '../support/use-gateway.ts';

const openAIKey = 'sk-upstream-openai-0123456789';
const anthropicKey = 'sk-ant-upstream-0123456789';
const system = 'Answer in one line.';
const question = 'Explain why token streams should be replayable';
const expected = expectedMockAnswer([system, question], question);

const gateway = useGateway({
  upstreams: { openai: { kind: 'openai', apiKey: openAIKey }, anthropic: { kind: 'anthropic', apiKey: anthropicKey } },
  overrides: (upstreams) => ({
    providers: {
      openai: { apiKey: openAIKey, baseUrl: upstreams.openai.url },
      anthropic: { apiKey: anthropicKey, baseUrl: upstreams.anthropic.url },
    },
  }),
});
const openAIUpstream = gateway.upstreams.openai;
const anthropicUpstream = gateway.upstreams.anthropic;
const openai = gateway.openai;
const anthropic = gateway.anthropic;

beforeAll(() => {
  // A few words at a time, so parts really arrive in several batches.
  openAIUpstream.behave('*', { tokenDelayMs: 2 });
  anthropicUpstream.behave('*', { tokenDelayMs: 2 });
});

async function job(id: string) {
  const response = await fetch(`${gateway.url}/v1/jobs/${id}`, { headers: { authorization: `Bearer ${gateway.apiKey}` } });
  return (await response.json()) as {
    status: string;
    output: Record<string, unknown>;
    usage: { input_tokens: number; output_tokens: number; estimated: boolean };
  };
}

describe.each([
  ['an OpenAI-dialect provider', 'gpt-4o'],
  ['an Anthropic provider', 'claude-sonnet-4-5'],
])('streaming from %s', (_dialect, model) => {
  it('serves the OpenAI SDK stream helper with the upstream text and usage', async () => {
    const stream = openai.chat.completions.stream({
      model,
      messages: [
        { role: 'system', content: system },
        { role: 'user', content: question },
      ],
      stream_options: { include_usage: true },
    });
    let deltas = '';
    stream.on('content', (delta) => (deltas += delta));
    const completion = await stream.finalChatCompletion();
    expect(deltas).toBe(expected.text);
    expect(completion.choices[0]!.message.content).toBe(expected.text);
    expect(completion.choices[0]!.finish_reason).toBe('stop');
    expect(completion.usage).toMatchObject({ prompt_tokens: expected.inputTokens, completion_tokens: expected.outputTokens });
    expect(completion.model).toBe(model);
  });

  it('serves create({stream: true}) chunk by chunk, with the job output equal to the non-stream body', async () => {
    const { data: stream, response } = await openai.chat.completions
      .create({
        model,
        messages: [
          { role: 'system', content: system },
          { role: 'user', content: question },
        ],
        stream: true,
      })
      .withResponse();
    expect(response.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const jobId = response.headers.get('x-job-id')!;
    expect(jobId).toBe(response.headers.get('x-request-id'));
    let text = '';
    let usageSeen = false;
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta.content ?? '';
      if (chunk.usage) usageSeen = true;
    }
    expect(text).toBe(expected.text);
    // No include_usage asked: no usage chunk.
    expect(usageSeen).toBe(false);

    // The client has the finish part a moment before BullMQ records the job as done.
    await expect.poll(async () => (await job(jobId)).status).toBe('completed');
    const stored = await job(jobId);
    expect(stored.output).toMatchObject({ object: 'chat.completion', id: `chatcmpl-${jobId.replace(/^req_/, '')}`, model });
    expect((stored.output.choices as { message: { content: string } }[])[0]!.message.content).toBe(expected.text);
    expect(stored.usage).toMatchObject({ input_tokens: expected.inputTokens, output_tokens: expected.outputTokens, estimated: false });
  });

  it('serves the Anthropic SDK stream helper with the upstream text and usage', async () => {
    const stream = anthropic.messages.stream({ model, max_tokens: 200, system, messages: [{ role: 'user', content: question }] });
    const events: string[] = [];
    stream.on('streamEvent', (event) => events.push(event.type));
    const message = await stream.finalMessage();
    expect(await stream.finalText()).toBe(expected.text);
    expect(message.stop_reason).toBe('end_turn');
    expect(message.usage).toMatchObject({ input_tokens: expected.inputTokens, output_tokens: expected.outputTokens });
    expect(message.model).toBe(model);
    expect(events[0]).toBe('message_start');
    expect(events.slice(-3)).toEqual(['content_block_stop', 'message_delta', 'message_stop']);
  });
});

describe('streaming routes', () => {
  const body = (stream: boolean) => JSON.stringify({ model: 'gpt-4o', messages: [{ role: 'user', content: question }], stream, max_tokens: 50 });
  const post = (path: string, text: string) =>
    fetch(`${gateway.url}${path}`, { method: 'POST', headers: { authorization: `Bearer ${gateway.apiKey}`, 'content-type': 'application/json' }, body: text });

  it('streams on the seed-compatible mounts too', async () => {
    const chat = await post('/api/ai/chat/completions', body(true));
    expect(chat.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const chatText = await chat.text();
    expect(chatText.endsWith('data: [DONE]\n\n')).toBe(true);

    const messages = await post('/api/ai/anthropic/messages', body(true));
    const messagesText = await messages.text();
    expect(messagesText.startsWith('event: message_start\n')).toBe(true);
    expect(messagesText.endsWith('event: message_stop\ndata: {"type":"message_stop"}\n\n')).toBe(true);
  });

  it('refuses stream: true on /v1/completions', async () => {
    const response = await post('/v1/completions', JSON.stringify({ model: 'gpt-4o', prompt: 'hi', stream: true }));
    expect(response.status).toBe(400);
    expect(((await response.json()) as { error: { message: string } }).error.message).toBe('streaming is not supported on /v1/completions');
  });
});
