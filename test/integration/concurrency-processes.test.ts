import { afterAll, beforeAll, expect, it } from 'vitest';
import { expectedMockAnswer, startMockOpenAIUpstream, type MockUpstream } from '@switchyard/testing';
import { prepareProcessStack, waitForHttp, type ProcessStack } from '../support/processes.ts';

let upstream: MockUpstream;
let stack: ProcessStack;

beforeAll(async () => {
  upstream = await startMockOpenAIUpstream({ record: false });
  stack = await prepareProcessStack({ env: { OPENAI_API_KEY: 'sk-upstream', OPENAI_BASE_URL: upstream.url } });
  const api = stack.start(['api']);
  stack.start(['worker', '--provider', 'openai', '--concurrency', '256']);
  await waitForHttp(`${stack.url}/health`, api);
}, 60_000);

afterAll(async () => {
  await stack?.stop();
  await upstream?.close();
});

it('gives each of 1,000 concurrent sync requests its own answer: one api process, one worker process', async () => {
  const count = 1000;
  const answers = await Promise.all(
    Array.from({ length: count }, async (_, index) => {
      const content = `request number ${index} with token ${index * 7919}`;
      const response = await fetch(`${stack.url}/v1/chat/completions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${stack.apiKey}`, 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content }] }),
      });
      const body = (await response.json()) as { choices: Array<{ message: { content: string } }>; usage: { completion_tokens: number } };
      return { status: response.status, content, body, jobId: response.headers.get('x-job-id') };
    }),
  );
  const failures = answers.filter((answer) => answer.status !== 200);
  expect(failures.map((failure) => failure.body)).toEqual([]);
  for (const answer of answers) {
    const expected = expectedMockAnswer([answer.content], answer.content);
    expect(answer.body.choices[0]!.message.content).toBe(expected.text);
    expect(answer.body.usage.completion_tokens).toBe(expected.outputTokens);
  }
  expect(new Set(answers.map((answer) => answer.jobId)).size).toBe(count);
}, 120_000);
