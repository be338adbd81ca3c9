// Many concurrent streams through one api and one worker process: every one arrives
// complete and in order.
import { beforeAll, describe, expect, it } from 'vitest';
import { openAIClient, anthropicClient } from '../support/clients.ts';
import { useGateway } from '../support/use-gateway.ts';

const upstreamKey = 'sk-upstream-openai-0123456789';
const streams = 200;
const tokens = 500;
// Numbered words: any loss, duplicate or reordering changes the text.
const answer = Array.from({ length: tokens }, (_, index) => `w${index}`).join(' ');

const gateway = useGateway({
  upstreams: { openai: { kind: 'openai', apiKey: upstreamKey, record: false } },
  overrides: ({ openai }) => ({ providers: { openai: { apiKey: upstreamKey, baseUrl: openai.url, concurrency: streams } } }),
});

beforeAll(() => gateway.upstreams.openai.behave('gpt-4o-mini', { text: answer, tokenDelayMs: 1 }));

describe('concurrent streams', () => {
  it(`relays ${streams} streams of ${tokens} tokens each, complete and in order, in both formats`, async () => {
    const openai = openAIClient(gateway);
    const anthropic = anthropicClient(gateway);
    const messages = [{ role: 'user' as const, content: 'count' }];

    const viaOpenAI = async () => {
      const stream = await openai.chat.completions.create({ model: 'gpt-4o-mini', messages, stream: true, stream_options: { include_usage: true } });
      let text = '';
      let outputTokens = 0;
      for await (const chunk of stream) {
        text += chunk.choices[0]?.delta.content ?? '';
        if (chunk.usage) outputTokens = chunk.usage.completion_tokens;
      }
      return { text, outputTokens };
    };
    const viaAnthropic = async () => {
      const message = await anthropic.messages.stream({ model: 'gpt-4o-mini', max_tokens: 1000, messages }).finalMessage();
      const block = message.content[0];
      return { text: block?.type === 'text' ? block.text : '', outputTokens: message.usage.output_tokens };
    };

    const results = await Promise.all(Array.from({ length: streams }, (_, index) => (index % 2 === 0 ? viaOpenAI() : viaAnthropic())));
    const wrong = results.flatMap((result, index) => (result.text === answer && result.outputTokens === tokens ? [] : [index]));
    expect(wrong).toEqual([]);
  }, 120_000);
});
