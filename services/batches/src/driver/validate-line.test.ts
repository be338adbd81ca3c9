import { describe, expect, it } from 'vitest';
import { loadConfig } from '@switchyard/config';
import { validateLine, type LineContext } from './validate-line.ts';

const context: LineContext = {
  config: loadConfig({ env: {} }),
  batchId: 'batch_test',
  orgId: 'org_test',
  keyId: 'key_test',
  endpoint: '/v1/chat/completions',
  shell: 'openai',
  createdAt: 1_000,
  expiresAt: 2_000,
};

const line = (value: unknown) => JSON.stringify(value);
const chat = { model: 'mock-fast', messages: [{ role: 'user', content: 'hi' }] };
const errorOf = (result: ReturnType<typeof validateLine>) => ('error' in result ? result.error : undefined);

describe('validateLine', () => {
  it('turns a valid line into its batch job: deterministic id, batch mode, the batch expiry as deadline', () => {
    const result = validateLine(context, 7, line({ custom_id: 'first', method: 'POST', url: '/v1/chat/completions', body: chat }));
    expect('job' in result && result.job).toMatchObject({
      requestId: 'batch_test-7',
      mode: 'batch',
      stream: false,
      batchId: 'batch_test',
      customId: 'first',
      deadline: 2_000,
      routeIndex: 0,
      routes: [{ provider: 'mock', model: 'mock-fast' }],
    });
  });

  it('refuses each kind of bad line with its own code and param', () => {
    expect(errorOf(validateLine(context, 0, '{not json'))).toMatchObject({ code: 'invalid_json' });
    expect(validateLine(context, 0, '{not json').parsedJson).toBe(false);
    expect(errorOf(validateLine(context, 0, '[1, 2]'))).toMatchObject({ code: 'invalid_request' });
    expect(errorOf(validateLine(context, 0, line({ method: 'POST', url: '/v1/chat/completions', body: chat })))).toMatchObject({ param: 'custom_id' });
    expect(errorOf(validateLine(context, 0, line({ custom_id: 'x', method: 'GET', url: '/v1/chat/completions', body: chat })))).toMatchObject({
      param: 'method',
    });
    expect(errorOf(validateLine(context, 0, line({ custom_id: 'x', method: 'POST', url: '/v1/embeddings', body: chat })))).toMatchObject({ param: 'url' });
    expect(errorOf(validateLine(context, 0, line({ custom_id: 'x', method: 'POST', url: '/v1/chat/completions', body: 'text' })))).toMatchObject({
      param: 'body',
    });
    expect(
      errorOf(validateLine(context, 0, line({ custom_id: 'x', method: 'POST', url: '/v1/chat/completions', body: { ...chat, model: 'nope' } }))),
    ).toMatchObject({
      code: 'model_not_found',
    });
    expect(
      errorOf(validateLine(context, 0, line({ custom_id: 'x', method: 'POST', url: '/v1/chat/completions', body: { ...chat, stream: true } }))),
    ).toMatchObject({
      param: 'stream',
    });
  });

  it("takes Anthropic's {custom_id, params} lines in batches of the Anthropic shell only", () => {
    const anthropic: LineContext = { ...context, endpoint: '/v1/messages', shell: 'anthropic' };
    const params = { model: 'mock-fast', max_tokens: 16, messages: [{ role: 'user', content: 'hi' }] };
    expect('job' in validateLine(anthropic, 0, line({ custom_id: 'm', params }))).toBe(true);
    expect(errorOf(validateLine({ ...anthropic, shell: 'openai' }, 0, line({ custom_id: 'm', params })))).toMatchObject({ param: 'method' });
  });
});
