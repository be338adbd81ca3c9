// Replies handed over in process, as `switchyard all` runs its workers beside the api: sync
// answers (a large one too), streams through both SDKs, and a request's records in Redis
// before its answer, while nothing travels on the reply channel through Redis.
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectedMockAnswer } from '@switchyard/testing';
import { answeredJobKey, inlineReplyMaxBytes } from '@switchyard/queue';
import { useGateway } from '../support/use-gateway.ts';

const openAIKey = 'sk-upstream-openai-0123456789';
const anthropicKey = 'sk-ant-upstream-0123456789';
const question = 'Explain why token streams should be replayable';
const expected = expectedMockAnswer([question], question);

const gateway = useGateway({
  localReplies: true,
  upstreams: { openai: { kind: 'openai', apiKey: openAIKey }, anthropic: { kind: 'anthropic', apiKey: anthropicKey } },
  overrides: (upstreams) => ({
    providers: {
      openai: { apiKey: openAIKey, baseUrl: upstreams.openai.url },
      anthropic: { apiKey: anthropicKey, baseUrl: upstreams.anthropic.url },
    },
    models: { 'big-model': { provider: 'openai' } },
  }),
});

describe('replies handed over in process', () => {
  /** Every message published on the gateway's reply channels through Redis. */
  let listener: Redis;
  const published: string[] = [];

  beforeAll(async () => {
    gateway.upstreams.openai.behave('*', { tokenDelayMs: 2 });
    gateway.upstreams.anthropic.behave('*', { tokenDelayMs: 2 });
    listener = new Redis(gateway.redisUrl);
    listener.on('pmessage', (_pattern: string, channel: string) => published.push(channel));
    await listener.psubscribe(`${gateway.prefix}:reply:*`);
  });
  afterAll(() => listener?.disconnect());

  it('answers sync calls of both SDKs, with the answered record in Redis before the answer', async () => {
    const { data: completion, response } = await gateway.openai.chat.completions
      .create({ model: 'gpt-4o', messages: [{ role: 'user', content: question }] })
      .withResponse();
    expect(completion.choices[0]!.message.content).toBe(expected.text);
    const requestId = response.headers.get('x-request-id')!;
    expect(await gateway.redis.exists(answeredJobKey(gateway.prefix, requestId))).toBe(1);

    const message = await gateway.anthropic.messages.create({ model: 'claude-sonnet-4-5', max_tokens: 100, messages: [{ role: 'user', content: question }] });
    expect(message.content[0]).toMatchObject({ type: 'text', text: expected.text });
  });

  it('hands over a reply too large for a pub/sub message whole', async () => {
    const text = 'x'.repeat(inlineReplyMaxBytes * 3);
    gateway.upstreams.openai.behave('big-model', { text });
    try {
      const completion = await gateway.openai.chat.completions.create({ model: 'big-model', messages: [{ role: 'user', content: 'hello' }] } as never);
      expect((completion as { choices: Array<{ message: { content: string } }> }).choices[0]!.message.content).toBe(text);
    } finally {
      gateway.upstreams.openai.behave('big-model', {});
    }
  });

  it('relays streams of both SDKs part by part', async () => {
    const stream = gateway.openai.chat.completions.stream({
      model: 'gpt-4o',
      messages: [{ role: 'user', content: question }],
      stream_options: { include_usage: true },
    });
    let deltas = '';
    let chunks = 0;
    stream.on('content', (delta) => {
      deltas += delta;
      chunks++;
    });
    const completion = await stream.finalChatCompletion();
    expect(deltas).toBe(expected.text);
    expect(chunks).toBeGreaterThan(1);
    expect(completion.usage).toMatchObject({ prompt_tokens: expected.inputTokens, completion_tokens: expected.outputTokens });

    const anthropicStream = gateway.anthropic.messages.stream({ model: 'claude-sonnet-4-5', max_tokens: 100, messages: [{ role: 'user', content: question }] });
    let anthropicText = '';
    anthropicStream.on('text', (delta) => (anthropicText += delta));
    const final = await anthropicStream.finalMessage();
    expect(anthropicText).toBe(expected.text);
    expect(final.usage.output_tokens).toBe(expected.outputTokens);
  });

  it('sent nothing on the reply channels through Redis', async () => {
    // A marker after everything above: once it is heard, anything published earlier was heard too.
    const marker = `${gateway.prefix}:reply:marker`;
    await gateway.redis.publish(marker, 'x');
    await expect.poll(() => published.includes(marker)).toBe(true);
    expect(published.filter((channel) => channel !== marker)).toEqual([]);
  });
});
