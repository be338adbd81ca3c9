// Text Postgres cannot hold (U+0000, lone surrogates) in a job's metadata, in the prompt an
// upstream echoes back and so in the output, is stored with U+FFFD in its place, and the
// ledger goes on recording what comes after it.
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findJob } from '@switchyard/db';
import { startMockOpenAIUpstream, type MockUpstream } from '@switchyard/testing';
import { startTestGateway, type TestGateway } from '../support/gateway.ts';

const upstreamKey = 'sk-upstream-unstorable-0123456789';

let upstream: MockUpstream;
let gateway: TestGateway;

beforeAll(async () => {
  upstream = await startMockOpenAIUpstream({ apiKey: upstreamKey });
  gateway = await startTestGateway({ overrides: { providers: { openai: { apiKey: upstreamKey, baseUrl: upstream.url, attempts: 1 } } } });
});

afterAll(async () => {
  await gateway?.stop();
  await upstream?.close();
});

async function http(path: string, init: RequestInit = {}) {
  const headers = new Headers(init.headers);
  headers.set('authorization', `Bearer ${gateway.apiKey}`);
  if (init.body) headers.set('content-type', 'application/json');
  const response = await fetch(`${gateway.url}${path}`, { ...init, headers });
  // Only the fields this file reads.
  return { status: response.status, body: (await response.json()) as { id: string; status: string; total_requests: number } };
}

async function until<T>(read: () => Promise<T>, done: (value: T) => boolean): Promise<T> {
  for (let tries = 0; tries < 400; tries++) {
    const value = await read();
    if (done(value)) return value;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error('condition not met in time');
}

describe('a job with text Postgres cannot hold', () => {
  it('is stored with U+FFFD in its place and does not block the jobs after it', async () => {
    const prompt = 'nul \u0000 and a lone \uD800 surrogate';
    const created = await http('/v1/jobs', {
      method: 'POST',
      body: JSON.stringify({
        endpoint: '/v1/chat/completions',
        body: { model: 'gpt-4o-mini', messages: [{ role: 'user', content: prompt }] },
        metadata: { note: 'a\u0000b', echo: 'x\uDC00y' },
      }),
    });
    expect(created.status).toBe(202);
    const live = await until(
      () => http(`/v1/jobs/${created.body.id}`),
      (job) => job.body.status === 'completed',
    );
    expect(live.body.status).toBe('completed');

    // A request after it, through the official SDK.
    const client = new OpenAI({ apiKey: gateway.apiKey, baseURL: `${gateway.url}/v1` });
    const after = await client.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'after the bad bytes' }] }).withResponse();
    const afterId = after.response.headers.get('x-job-id')!;

    const usage = await until(
      () => http('/v1/usage'),
      (report) => report.body.total_requests === 2,
    );
    expect(usage.body.total_requests).toBe(2);
    const stored = await until(
      () => findJob(gateway.database.db, gateway.orgId, created.body.id),
      (job) => job !== undefined,
    );
    expect(stored?.metadata).toEqual({ note: 'a\uFFFDb', echo: 'x\uFFFDy' });
    const content = (stored!.output as { choices: Array<{ message: { content: string } }> }).choices[0]?.message.content;
    expect(content).toBe('echo: nul \uFFFD and a lone \uFFFD surrogate');
    expect(
      await until(
        () => findJob(gateway.database.db, gateway.orgId, afterId),
        (job) => job !== undefined,
      ),
    ).toMatchObject({ status: 'completed' });
  });
});
