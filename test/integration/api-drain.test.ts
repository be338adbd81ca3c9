// The api's graceful drain, seen over HTTP: once stopping it refuses new connections, tells a
// load balancer that still asks on a kept-alive connection that it is draining, and answers
// the sync call and the stream it holds before it closes.
import { Agent, request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { describe, expect, it } from 'vitest';
import { connectionError, eventually, expectedMockAnswer } from '@switchyard/testing';
import { useGateway } from '../support/use-gateway.ts';

const gateway = useGateway({
  upstreams: { openai: { kind: 'openai' } },
  overrides: ({ openai }) => ({ providers: { openai: { apiKey: 'sk-upstream', baseUrl: openai.url } } }),
});

type Answer = { status: number; headers: IncomingHttpHeaders; body: string };

function send(agent: Agent, method: string, path: string, body?: unknown): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const outgoing = httpRequest(
      new URL(path, gateway.url),
      { method, agent, headers: { authorization: `Bearer ${gateway.apiKey}`, ...(payload ? { 'content-type': 'application/json' } : {}) } },
      (response) => {
        let text = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => (text += chunk));
        response.on('end', () => resolve({ status: response.statusCode ?? 0, headers: response.headers, body: text }));
        response.on('error', reject);
      },
    );
    outgoing.on('error', reject);
    outgoing.end(payload);
  });
}

describe('api drain', () => {
  it('refuses new connections, answers /ready 503 draining, and finishes the sync call and the stream it holds', async () => {
    const upstream = gateway.upstreams.openai;
    upstream.behave('gpt-4o', { latencyMs: 1000, tokenDelayMs: 20 });
    // One kept-alive connection for the probe, as a load balancer keeps one.
    const probe = new Agent({ keepAlive: true, maxSockets: 1 });
    const calls = new Agent({ keepAlive: true });
    try {
      expect(await send(probe, 'GET', '/ready')).toMatchObject({ status: 200 });
      const syncContent = 'held while the api drains';
      const streamContent = 'streamed while the api drains';
      const sync = send(calls, 'POST', '/v1/chat/completions', { model: 'gpt-4o', messages: [{ role: 'user', content: syncContent }] });
      const stream = send(calls, 'POST', '/v1/chat/completions', { model: 'gpt-4o', stream: true, messages: [{ role: 'user', content: streamContent }] });
      await eventually('both calls upstream', () => upstream.inFlight === 2);

      const stopped = gateway.api.stop({ graceMs: 30_000 });
      const ready = await send(probe, 'GET', '/ready');
      expect(ready.status).toBe(503);
      expect(JSON.parse(ready.body)).toEqual({ status: 'draining' });
      expect(ready.headers.connection).toBe('close');
      expect(await connectionError(gateway.api.port)).toBe('ECONNREFUSED');

      const answered = await sync;
      expect(answered.status).toBe(200);
      expect(answered.headers.connection).toBe('close');
      expect(JSON.parse(answered.body).choices[0].message.content).toBe(expectedMockAnswer([syncContent], syncContent).text);
      const streamed = await stream;
      expect(streamed.status).toBe(200);
      const text = streamed.body
        .split('\n')
        .filter((line) => line.startsWith('data: {'))
        .map((line) => JSON.parse(line.slice(6)).choices[0]?.delta?.content ?? '')
        .join('');
      expect(text).toBe(expectedMockAnswer([streamContent], streamContent).text);
      expect(streamed.body.trimEnd().endsWith('data: [DONE]')).toBe(true);
      await stopped;
    } finally {
      probe.destroy();
      calls.destroy();
    }
  });
});
