import { afterAll, beforeAll, expect, it } from 'vitest';
import { createApiKey, createDb, createOrg, migrateToLatest } from '@switchyard/db';
import { createTestDatabase, deletePrefix, expectedMockAnswer, startMockOpenAIUpstream, testRedis, uniquePrefix, type MockUpstream, type TestDatabase } from '@switchyard/testing';
import { freePort, spawnSwitchyard, waitForHttp, type ServiceProcess } from '../support/processes.ts';

let upstream: MockUpstream;
let database: TestDatabase;
let api: ServiceProcess;
let worker: ServiceProcess;
let url: string;
let apiKey: string;
let redisUrl: string;
const prefix = uniquePrefix('proc');

beforeAll(async () => {
  upstream = await startMockOpenAIUpstream({ record: false });
  database = await createTestDatabase();
  redisUrl = (await testRedis()).url;
  const handle = await createDb({ url: database.url });
  await migrateToLatest(handle.db);
  const org = await createOrg(handle.db, { name: 'load' });
  apiKey = (await createApiKey(handle.db, { orgId: org.id, name: 'load' })).key;
  await handle.close();

  const port = await freePort();
  const env = {
    REDIS_URL: redisUrl,
    DATABASE_URL: database.url,
    SWITCHYARD_REDIS_PREFIX: prefix,
    OPENAI_API_KEY: 'sk-upstream',
    OPENAI_BASE_URL: upstream.url,
    PORT: String(port),
  };
  api = spawnSwitchyard(['api'], env);
  worker = spawnSwitchyard(['worker', '--provider', 'openai', '--concurrency', '256'], env);
  url = `http://127.0.0.1:${port}`;
  await waitForHttp(`${url}/health`, api);
}, 60_000);

afterAll(async () => {
  await api?.stop();
  await worker?.stop();
  await upstream?.close();
  await database?.drop();
  await deletePrefix(redisUrl, prefix);
});

it('gives each of 1,000 concurrent sync requests its own answer: one api process, one worker process', async () => {
  const count = 1000;
  const answers = await Promise.all(
    Array.from({ length: count }, async (_, index) => {
      const content = `request number ${index} with token ${index * 7919}`;
      const response = await fetch(`${url}/v1/chat/completions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' },
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
