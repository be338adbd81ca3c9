// The openai-compatible family against the mock OpenAI upstream: presets (xAI, Perplexity),
// a provider added with a config entry only, and the capability checks with their 400s.
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { afterEach, describe, expect, it } from 'vitest';
import { expectedMockAnswer } from '@switchyard/testing';
import { useGateway } from '../support/use-gateway.ts';

const keys = { xai: 'xai-upstream-key-0123456789', perplexity: 'pplx-upstream-key-0123456789', together: 'together-upstream-key-0123456789' };
const weatherTool: OpenAI.ChatCompletionTool = {
  type: 'function',
  function: { name: 'get_weather', parameters: { type: 'object', properties: { city: { type: 'string' } } } },
};
const imageUrl = 'https://example.com/cat.png';

const gateway = useGateway({
  upstreams: { openai: { kind: 'openai' } },
  overrides: ({ openai }) => ({
    providers: {
      xai: { apiKey: keys.xai, baseUrl: openai.url, attempts: 1 },
      perplexity: { apiKey: keys.perplexity, baseUrl: openai.url, attempts: 1 },
      // A provider the gateway has never heard of: one config entry, no code.
      together: { kind: 'openai-compatible', apiKey: keys.together, baseUrl: openai.url, attempts: 1, headers: { 'x-client-name': 'switchyard' } },
    },
    models: {
      'llama-3.3-70b': { provider: 'together', upstreamModel: 'meta-llama/Llama-3.3-70B-Instruct-Turbo', pricing: { input: '0.88', output: '0.88' } },
      // Misconfigured on purpose: the model claims tools, the perplexity preset refuses them.
      'sonar-claims-tools': { provider: 'perplexity', upstreamModel: 'sonar', capabilities: { tools: true } },
    },
  }),
});
const upstream = gateway.upstreams.openai;
const openai = gateway.openai;
const anthropic = gateway.anthropic;

afterEach(() => upstream.reset());

const lastCall = () => upstream.requests.at(-1)!;
const failureOf = (promise: Promise<unknown>) =>
  promise.then(
    () => undefined,
    (error: unknown) => error,
  );

describe('presets and config-only providers', () => {
  it('calls xAI with its key and max_tokens (not max_completion_tokens)', async () => {
    const message = await anthropic.messages.create({ model: 'grok-3', max_tokens: 100, messages: [{ role: 'user', content: 'Hello Grok' }] });
    const call = lastCall();
    expect(call.path).toBe('/v1/chat/completions');
    expect(call.headers.authorization).toBe(`Bearer ${keys.xai}`);
    expect(call.body).toMatchObject({ model: 'grok-3', max_tokens: 100 });
    expect(call.body).not.toHaveProperty('max_completion_tokens');
    const expected = expectedMockAnswer(['Hello Grok'], 'Hello Grok');
    expect(message.content).toEqual([{ type: 'text', text: expected.text }]);
    expect(message.usage).toMatchObject({ input_tokens: expected.inputTokens, output_tokens: expected.outputTokens });
  });

  it('serves a provider added by config alone, with its key, custom headers, upstream model id and tools', async () => {
    upstream.behave('meta-llama/Llama-3.3-70B-Instruct-Turbo', { toolArguments: '{"city": "Oslo"}' });
    const { data: completion, response } = await openai.chat.completions
      .create({ model: 'llama-3.3-70b', tools: [weatherTool], tool_choice: 'required', messages: [{ role: 'user', content: 'Weather in Oslo?' }] })
      .withResponse();
    const call = lastCall();
    expect(call.headers.authorization).toBe(`Bearer ${keys.together}`);
    expect(call.headers['x-client-name']).toBe('switchyard');
    expect(call.body).toMatchObject({ model: 'meta-llama/Llama-3.3-70B-Instruct-Turbo', tool_choice: 'required' });
    expect(response.headers.get('x-switchyard-provider')).toBe('together');
    expect(completion.model).toBe('llama-3.3-70b');
    expect(completion.choices[0]!.finish_reason).toBe('tool_calls');
    const toolCall = completion.choices[0]!.message.tool_calls![0]!;
    if (toolCall.type !== 'function') throw new Error(`expected a function tool call, got ${toolCall.type}`);
    expect(JSON.parse(toolCall.function.arguments)).toEqual({ city: 'Oslo' });

    const listed = await openai.models.retrieve('llama-3.3-70b');
    expect(listed.owned_by).toBe('together');
  });

  it('serves Perplexity sonar text with its key', async () => {
    const completion = await openai.chat.completions.create({ model: 'sonar', messages: [{ role: 'user', content: 'Latest news?' }] });
    expect(lastCall().headers.authorization).toBe(`Bearer ${keys.perplexity}`);
    expect(completion.choices[0]!.message.content).toBe(expectedMockAnswer(['Latest news?'], 'Latest news?').text);
  });
});

describe('capability checks', () => {
  it('refuses tools on a model without the tools capability with a clear 400, before anything is queued', async () => {
    const viaOpenAI = await failureOf(openai.chat.completions.create({ model: 'sonar', tools: [weatherTool], messages: [{ role: 'user', content: 'hi' }] }));
    expect(viaOpenAI).toBeInstanceOf(OpenAI.BadRequestError);
    expect(viaOpenAI).toMatchObject({ status: 400, type: 'invalid_request_error', param: 'tools' });
    expect((viaOpenAI as Error).message).toContain('model sonar does not support tools');

    const viaAnthropic = await failureOf(
      anthropic.messages.create({
        model: 'sonar',
        max_tokens: 16,
        tools: [{ name: 'get_weather', input_schema: { type: 'object' } }],
        messages: [{ role: 'user', content: 'hi' }],
      }),
    );
    expect(viaAnthropic).toBeInstanceOf(Anthropic.BadRequestError);
    expect(viaAnthropic).toMatchObject({ status: 400, type: 'invalid_request_error' });
    expect((viaAnthropic as Error).message).toContain('model sonar does not support tools');
    expect(upstream.requests).toHaveLength(0);
  });

  it('refuses tools with a 400 when the provider cannot take them even though the model claims it', async () => {
    const failure = await failureOf(
      openai.chat.completions.create({ model: 'sonar-claims-tools', tools: [weatherTool], messages: [{ role: 'user', content: 'hi' }] }),
    );
    expect(failure).toBeInstanceOf(OpenAI.BadRequestError);
    expect((failure as Error).message).toContain('perplexity does not support tools');
    expect(upstream.requests).toHaveLength(0);
  });

  it('drops tools sent with tool_choice none to a provider without tools', async () => {
    const completion = await openai.chat.completions.create({
      model: 'sonar-claims-tools',
      tools: [weatherTool],
      tool_choice: 'none',
      messages: [{ role: 'user', content: 'hi' }],
    });
    expect(completion.choices[0]!.finish_reason).toBe('stop');
    expect(lastCall().body).not.toHaveProperty('tools');
    expect(lastCall().body).not.toHaveProperty('tool_choice');
  });

  it('refuses images on a model without vision in both formats', async () => {
    const viaOpenAI = await failureOf(
      openai.chat.completions.create({
        model: 'grok-3',
        messages: [
          {
            role: 'user',
            content: [
              { type: 'text', text: 'What is this?' },
              { type: 'image_url', image_url: { url: imageUrl } },
            ],
          },
        ],
      }),
    );
    expect(viaOpenAI).toBeInstanceOf(OpenAI.BadRequestError);
    expect(viaOpenAI).toMatchObject({ status: 400, param: 'messages' });
    expect((viaOpenAI as Error).message).toContain('model grok-3 does not support image input');

    const viaAnthropic = await failureOf(
      anthropic.messages.create({
        model: 'grok-3',
        max_tokens: 16,
        messages: [
          {
            role: 'user',
            content: [
              { type: 'image', source: { type: 'url', url: imageUrl } },
              { type: 'text', text: 'What is this?' },
            ],
          },
        ],
      }),
    );
    expect(viaAnthropic).toBeInstanceOf(Anthropic.BadRequestError);
    expect((viaAnthropic as Error).message).toContain('model grok-3 does not support image input');
    expect(upstream.requests).toHaveLength(0);
  });

  it('passes images to a vision model as OpenAI image_url parts', async () => {
    await anthropic.messages.create({
      model: 'grok-4',
      max_tokens: 16,
      messages: [
        {
          role: 'user',
          content: [
            { type: 'image', source: { type: 'url', url: imageUrl } },
            { type: 'text', text: 'What is this?' },
          ],
        },
      ],
    });
    expect(lastCall().body).toMatchObject({
      messages: [
        {
          role: 'user',
          content: [
            { type: 'image_url', image_url: { url: imageUrl } },
            { type: 'text', text: 'What is this?' },
          ],
        },
      ],
    });
  });
});
