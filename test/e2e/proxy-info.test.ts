// `_proxy_info` on non-stream OpenAI-format bodies: the same facts as the x-switchyard-*
// headers, read through the official openai SDK (which keeps the extra field and minds it
// not); never on Anthropic bodies or streams; `server.proxyInfo: false` turns it off.
import { afterAll, describe, expect, it } from 'vitest';
import type { TestGateway } from '../support/gateway.ts';
import { adminKey } from '../support/gateway.ts';
import { useGateway } from '../support/use-gateway.ts';

const gateway = useGateway();
const openai = gateway.openai;

type ProxyInfo = { provider: string; attempt_number: number; response_time: number; request_id: string };

function expectMatchesHeaders(info: ProxyInfo | undefined, headers: Headers) {
  expect(info).toEqual({
    provider: headers.get('x-switchyard-provider'),
    attempt_number: Number(headers.get('x-switchyard-attempts')),
    response_time: expect.any(Number),
    request_id: headers.get('x-request-id'),
  });
  expect(info!.provider).toBe('mock');
  expect(info!.request_id).toBe(headers.get('x-job-id'));
  expect(info!.response_time).toBeGreaterThanOrEqual(0);
}

const reload = async (on: Pick<TestGateway, 'url'>) =>
  (await fetch(`${on.url}/v1/admin/config/reload`, { method: 'POST', headers: { authorization: `Bearer ${adminKey}` } })).status;

afterAll(async () => {
  gateway.setOverrides({});
});

describe('_proxy_info', () => {
  it('is on chat completions, completions and embeddings, equal to the headers', async () => {
    const chat = await openai.chat.completions.create({ model: 'mock-fast', messages: [{ role: 'user', content: 'hello' }] }).withResponse();
    expect(chat.data.choices[0]!.message.role).toBe('assistant');
    expectMatchesHeaders((chat.data as unknown as { _proxy_info?: ProxyInfo })._proxy_info, chat.response.headers);

    const completion = await openai.completions.create({ model: 'mock-fast', prompt: 'Say hi' }).withResponse();
    expect(completion.data.object).toBe('text_completion');
    expectMatchesHeaders((completion.data as unknown as { _proxy_info?: ProxyInfo })._proxy_info, completion.response.headers);

    const embeddings = await openai.embeddings.create({ model: 'mock-embed', input: 'hello', encoding_format: 'float' }).withResponse();
    expect(embeddings.data.data[0]!.embedding).toHaveLength(8);
    expectMatchesHeaders((embeddings.data as unknown as { _proxy_info?: ProxyInfo })._proxy_info, embeddings.response.headers);
  });

  it('is never on an Anthropic body or a stream', async () => {
    const message = await gateway.anthropic.messages.create({ model: 'mock-fast', max_tokens: 50, messages: [{ role: 'user', content: 'hello' }] });
    expect(message.type).toBe('message');
    expect(message).not.toHaveProperty('_proxy_info');

    const stream = await openai.chat.completions.create({ model: 'mock-fast', stream: true, messages: [{ role: 'user', content: 'hello' }] });
    let chunks = 0;
    for await (const chunk of stream) {
      chunks += 1;
      expect(chunk).not.toHaveProperty('_proxy_info');
    }
    expect(chunks).toBeGreaterThan(1);
  });

  it('is off with server.proxyInfo: false', async () => {
    gateway.setOverrides({ server: { proxyInfo: false } });
    expect(await reload(gateway)).toBe(200);
    const chat = await openai.chat.completions.create({ model: 'mock-fast', messages: [{ role: 'user', content: 'hello' }] }).withResponse();
    expect(chat.response.headers.get('x-switchyard-provider')).toBe('mock');
    expect(chat.data).not.toHaveProperty('_proxy_info');
    const embeddings = await openai.embeddings.create({ model: 'mock-embed', input: 'hello' });
    expect(embeddings).not.toHaveProperty('_proxy_info');

    gateway.setOverrides({});
    expect(await reload(gateway)).toBe(200);
    const again = await openai.chat.completions.create({ model: 'mock-fast', messages: [{ role: 'user', content: 'hello' }] });
    expect(again).toHaveProperty('_proxy_info');
  });
});
