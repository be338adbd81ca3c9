import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toFile } from 'openai';
import { eventually, freePort } from '@switchyard/testing';
import { openAIClient } from '../support/clients.ts';
import { prepareProcessStack, spawnSwitchyard, waitForHttp, type ProcessStack, type ServiceProcess } from '../support/processes.ts';

// Every process kind serves its own metrics: the api on its port, the worker and the ledger
// on --metrics-port, webhooks on METRICS_PORT. A provider whose upstream refuses connections
// (a closed port) retries once and hands its requests on to mock-fast; one no worker consumes
// (`idle`) holds a batch's lines on its queue.
const metricsKey = 'scrape-key-0123456789abcdef';
const mockPrice = { input: 1, output: 2 };

let stack: ProcessStack;
let webhooks: ServiceProcess | undefined;
const endpoints = { api: '', worker: '', ledger: '', webhooks: '' };

type Labels = Record<string, string>;

/** The value of one series in Prometheus text, or undefined when it is absent. */
function sample(text: string, name: string, labels: Labels = {}): number | undefined {
  for (const line of text.split('\n')) {
    const match = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const present = Object.fromEntries([...(match[2] ?? '').matchAll(/(\w+)="([^"]*)"/g)].map(([, key, value]) => [key, value]));
    if (Object.keys(labels).length === Object.keys(present).length && Object.entries(labels).every(([key, value]) => present[key] === value)) {
      return Number(match[3]);
    }
  }
  return undefined;
}

async function scrape(url: string): Promise<string> {
  const response = await fetch(`${url}/metrics`, { headers: { authorization: `Bearer ${metricsKey}` } });
  expect(response.status).toBe(200);
  return response.text();
}

beforeAll(async () => {
  const closedPort = await freePort();
  stack = await prepareProcessStack({
    env: { SWITCHYARD_METRICS_KEY: metricsKey },
    configYaml: [
      'providers:',
      '  flaky:',
      '    kind: openai-compatible',
      '    apiKey: sk-flaky',
      `    baseUrl: http://127.0.0.1:${closedPort}/v1`,
      '    attempts: 2',
      '  idle:',
      '    kind: openai-compatible',
      '    apiKey: sk-idle',
      `    baseUrl: http://127.0.0.1:${closedPort}/v1`,
      'models:',
      '  idle-model:',
      '    provider: idle',
      '  flaky-model:',
      '    provider: flaky',
      '    fallbacks: [mock-fast]',
      '',
    ].join('\n'),
  });
  const [workerPort, ledgerPort, webhooksPort] = [await freePort(), await freePort(), await freePort()];
  endpoints.api = stack.url;
  endpoints.worker = `http://127.0.0.1:${workerPort}`;
  endpoints.ledger = `http://127.0.0.1:${ledgerPort}`;
  endpoints.webhooks = `http://127.0.0.1:${webhooksPort}`;
  const api = stack.start(['api']);
  const worker = stack.start(['worker', '--provider', 'mock,flaky', '--metrics-port', String(workerPort)]);
  const ledger = stack.start(['ledger', '--metrics-port', String(ledgerPort)]);
  webhooks = spawnSwitchyard(['webhooks'], { ...stack.env, METRICS_PORT: String(webhooksPort) });
  await Promise.all([
    waitForHttp(`${endpoints.api}/health`, api),
    waitForHttp(`${endpoints.worker}/health`, worker),
    waitForHttp(`${endpoints.ledger}/health`, ledger),
    waitForHttp(`${endpoints.webhooks}/health`, webhooks),
  ]);
}, 90_000);

afterAll(async () => {
  await webhooks?.stop('SIGKILL');
  await stack?.stop();
});

describe('metrics of separate processes', () => {
  it('wants the metrics key on every process kind: none is 401, another key 403', async () => {
    for (const url of Object.values(endpoints)) {
      const anonymous = await fetch(`${url}/metrics`);
      expect(anonymous.status).toBe(401);
      expect(((await anonymous.json()) as { error: { code: string } }).error.code).toBe('missing_api_key');
      const wrong = await fetch(`${url}/metrics`, { headers: { authorization: 'Bearer not-the-scrape-key-at-all' } });
      expect(wrong.status).toBe(403);
      expect(((await wrong.json()) as { error: { code: string } }).error.code).toBe('permission_denied');
    }
  });

  it('moves the worker counters with traffic, and the api, ledger and webhooks report theirs', async () => {
    const api = await eventually('the api to see one mock worker', async () => {
      const text = await scrape(endpoints.api);
      return sample(text, 'switchyard_workers', { provider: 'mock' }) === 1 && text;
    });
    expect(sample(api, 'switchyard_workers', { provider: 'flaky' })).toBe(1);
    for (const lane of ['sync', 'async', 'batch', 'delayed']) expect(sample(api, 'switchyard_queue_waiting', { provider: 'mock', lane })).toBe(0);
    expect(sample(api, 'switchyard_queue_active', { provider: 'mock' })).toBe(0);
    expect(sample(api, 'switchyard_breaker_state', { provider: 'mock', model: 'mock-fast' })).toBe(0);

    const before = await scrape(endpoints.worker);
    const value = (text: string, name: string, labels: Labels) => sample(text, name, labels) ?? 0;
    const moved = (after: string, name: string, labels: Labels) => value(after, name, labels) - value(before, name, labels);

    const client = openAIClient(stack);
    const answers = [];
    for (const content of ['first question', 'second question', 'third question']) {
      answers.push(await client.chat.completions.create({ model: 'mock-fast', messages: [{ role: 'user', content }] }));
    }
    const fallback = await client.chat.completions.create({ model: 'flaky-model', messages: [{ role: 'user', content: 'handed on' }] }).withResponse();
    expect(fallback.response.headers.get('x-switchyard-provider')).toBe('mock');
    expect(fallback.response.headers.get('x-switchyard-attempts')).toBe('3');
    answers.push(fallback.data);

    const mock = { provider: 'mock', model: 'mock-fast' };
    const flaky = { provider: 'flaky', model: 'flaky-model' };
    // The caller has its answer a moment before the worker counts the job.
    const after = await eventually('the worker to count the four jobs', async () => {
      const text = await scrape(endpoints.worker);
      return (
        moved(text, 'switchyard_jobs_total', { ...mock, status: 'completed' }) >= 4 &&
        moved(text, 'switchyard_jobs_total', { ...flaky, status: 'forwarded' }) >= 1 &&
        text
      );
    });
    expect(moved(after, 'switchyard_jobs_total', { ...mock, status: 'completed' })).toBe(4);
    expect(moved(after, 'switchyard_jobs_total', { ...flaky, status: 'forwarded' })).toBe(1);
    expect(moved(after, 'switchyard_fallbacks_total', { provider: 'flaky' })).toBe(1);
    expect(moved(after, 'switchyard_retries_total', { provider: 'flaky' })).toBe(1);
    expect(moved(after, 'switchyard_upstream_seconds_count', { ...mock, status: 'completed' })).toBe(4);
    expect(moved(after, 'switchyard_upstream_seconds_count', { ...flaky, status: 'failed' })).toBe(2);
    // The forwarded job waited in the mock queue too; the flaky job's retry is not a second wait.
    expect(moved(after, 'switchyard_job_queue_seconds_count', { provider: 'mock', lane: 'sync' })).toBe(4);
    expect(moved(after, 'switchyard_job_queue_seconds_count', { provider: 'flaky', lane: 'sync' })).toBe(1);
    expect(value(after, 'switchyard_worker_jobs_active', { provider: 'mock' })).toBe(0);

    const prompt = answers.reduce((total, answer) => total + answer.usage!.prompt_tokens, 0);
    const completion = answers.reduce((total, answer) => total + answer.usage!.completion_tokens, 0);
    expect(prompt).toBeGreaterThan(0);
    expect(moved(after, 'switchyard_tokens_total', { ...mock, kind: 'input' })).toBe(prompt);
    expect(moved(after, 'switchyard_tokens_total', { ...mock, kind: 'output' })).toBe(completion);
    expect(moved(after, 'switchyard_cost_usd_total', mock)).toBeCloseTo((prompt * mockPrice.input + completion * mockPrice.output) / 1e6, 12);
    // One registry per process: Node's own metrics are served beside the worker's.
    expect(sample(after, 'switchyard_process_resident_memory_bytes')).toBeGreaterThan(0);

    // The ledger writes what the worker appended: its lag comes back to zero.
    const ledger = await eventually('the ledger to catch up', async () => {
      const text = await scrape(endpoints.ledger);
      return sample(text, 'switchyard_ledger_lag') === 0 && text;
    });
    expect(sample(ledger, 'switchyard_ledger_dead_letters_total', { reason: 'unwritable' })).toBe(0);
    expect(sample(ledger, 'switchyard_batch_lines', { status: 'pending' })).toBe(0);

    const webhooksText = await scrape(endpoints.webhooks);
    expect(sample(webhooksText, 'switchyard_webhook_deliveries_total', { status: 'delivered' })).toBe(0);
  }, 60_000);

  it('counts the lines of an open batch in the ledger, and its queued lines in the batch lane of the api', async () => {
    const client = openAIClient(stack);
    const lines = ['one', 'two', 'three'].map((content, index) =>
      JSON.stringify({
        custom_id: `line-${index}`,
        method: 'POST',
        url: '/v1/chat/completions',
        body: { model: 'idle-model', messages: [{ role: 'user', content }] },
      }),
    );
    const file = await client.files.create({ file: await toFile(Buffer.from(lines.join('\n')), 'input.jsonl'), purpose: 'batch' });
    await client.batches.create({ input_file_id: file.id, endpoint: '/v1/chat/completions', completion_window: '24h' });

    // No worker takes `idle` jobs: the driver feeds the lines and they wait, at batch priority.
    const ledger = await eventually('the ledger to count three queued lines', async () => {
      const text = await scrape(endpoints.ledger);
      return sample(text, 'switchyard_batch_lines', { status: 'queued' }) === 3 && text;
    });
    expect(sample(ledger, 'switchyard_batch_lines', { status: 'pending' })).toBe(0);
    expect(sample(ledger, 'switchyard_batch_lines', { status: 'completed' })).toBe(0);
    const api = await eventually('the api to see three jobs in the batch lane', async () => {
      const text = await scrape(endpoints.api);
      return sample(text, 'switchyard_queue_waiting', { provider: 'idle', lane: 'batch' }) === 3 && text;
    });
    for (const lane of ['sync', 'async', 'delayed']) expect(sample(api, 'switchyard_queue_waiting', { provider: 'idle', lane })).toBe(0);
    expect(sample(api, 'switchyard_workers', { provider: 'idle' })).toBe(0);
  }, 60_000);
});
