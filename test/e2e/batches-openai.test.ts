// OpenAI's Batch API through the official `openai` SDK, unmodified: upload a JSONL file,
// create the batch, poll it to its end, download the output and error files. Real Redis and
// Postgres; the batch driver runs in the test gateway's ledger; upstreams are mocks.
import OpenAI, { toFile } from 'openai';
import type { Batch } from 'openai/resources/batches';
import { describe, expect, it } from 'vitest';
import { eventually } from '@switchyard/testing';
import { openAIClient } from '../support/clients.ts';
import { useGateway } from '../support/use-gateway.ts';

const upstreamKey = 'sk-openai-upstream-batches-0123456789';
const maxLines = 12;

const gateway = useGateway({
  upstreams: { openai: { kind: 'openai', apiKey: upstreamKey } },
  overrides: ({ openai }) => ({
    // One upstream call at a time, so a slow model leaves a batch part done when it is cancelled.
    providers: { openai: { apiKey: upstreamKey, baseUrl: openai.url, attempts: 1, concurrency: 1 } },
    models: { 'slow-gpt': { provider: 'openai', upstreamModel: 'slow-gpt' } },
    batches: { maxLines, tickMs: 50 },
  }),
});
const openai = gateway.openai;

type ResultLine = {
  id: string;
  custom_id: string | null;
  response: { status_code: number; request_id: string; body: Record<string, unknown> } | null;
  error: { code: string; message: string } | null;
};

const chatLine = (customId: string, content: string, model = 'mock-fast') => ({
  custom_id: customId,
  method: 'POST',
  url: '/v1/chat/completions',
  body: { model, max_tokens: 32, messages: [{ role: 'user', content }] },
});

const jsonl = (lines: readonly unknown[]) => lines.map((line) => (typeof line === 'string' ? line : JSON.stringify(line))).join('\n');

async function upload(client: OpenAI, text: string, filename = 'batch.jsonl') {
  return client.files.create({ file: await toFile(Buffer.from(text), filename), purpose: 'batch' });
}

const ended = new Set<Batch['status']>(['completed', 'failed', 'expired', 'cancelled']);

async function untilEnded(client: OpenAI, id: string): Promise<Batch> {
  return eventually(`batch ${id} to end`, async () => {
    const batch = await client.batches.retrieve(id);
    return ended.has(batch.status) && batch;
  });
}

async function linesOf(client: OpenAI, fileId: string | null | undefined): Promise<ResultLine[]> {
  if (!fileId) return [];
  const text = await (await client.files.content(fileId)).text();
  return text
    .split('\n')
    .filter((line) => line.length > 0)
    .map((line) => JSON.parse(line) as ResultLine);
}

/** A chat completion without what differs between two calls of the same request. */
/** A body without what differs per request: ids, times, and the sync answer's `_proxy_info` (per-request metadata, like its headers). */
function stable(body: Record<string, unknown>) {
  const { id: _id, created: _created, system_fingerprint: _fingerprint, _proxy_info: _proxyInfo, ...rest } = body;
  return rest;
}

async function rejection(promise: Promise<unknown>): Promise<InstanceType<typeof OpenAI.APIError>> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(OpenAI.APIError);
  return error as InstanceType<typeof OpenAI.APIError>;
}

describe('a file batch', () => {
  it('runs every line once: answers in the output file as the sync endpoint answers them, bad lines in the error file', async () => {
    const good = [chatLine('good-1', 'Hello there'), chatLine('good-2', 'Tell me about batches'), chatLine('good-3', 'Third')];
    const bad = [
      'this line is not JSON',
      { ...chatLine('wrong-url', 'x'), url: '/v1/embeddings' },
      { custom_id: 'invalid-body', method: 'POST', url: '/v1/chat/completions', body: { model: 'mock-fast' } },
      chatLine('unknown-model', 'x', 'no-such-model'),
    ];
    const file = await upload(openai, jsonl([good[0], bad[0], good[1], bad[1], bad[2], good[2], bad[3]]));
    expect(file.purpose).toBe('batch');

    const created = await openai.batches.create({
      input_file_id: file.id,
      endpoint: '/v1/chat/completions',
      completion_window: '24h',
      metadata: { run: 'one' },
    });
    expect(created).toMatchObject({
      object: 'batch',
      endpoint: '/v1/chat/completions',
      input_file_id: file.id,
      completion_window: '24h',
      metadata: { run: 'one' },
    });
    expect(created.id).toMatch(/^batch_/);
    expect(['validating', 'in_progress']).toContain(created.status);

    const batch = await untilEnded(openai, created.id);
    expect(batch.status).toBe('completed');
    expect(batch.request_counts).toEqual({ total: 7, completed: 3, failed: 4 });
    for (const field of ['in_progress_at', 'finalizing_at', 'completed_at', 'expires_at'] as const) expect(batch[field]).toBeGreaterThan(0);
    expect(batch.failed_at).toBeNull();
    // Usage and cost of the three lines that ran (mock-fast is priced), summed by the ledger.
    expect(batch.usage?.input_tokens).toBeGreaterThan(0);
    expect(batch.usage?.total_tokens).toBe((batch.usage?.input_tokens ?? 0) + (batch.usage?.output_tokens ?? 0));
    expect(Number((batch as Batch & { cost_usd: string }).cost_usd)).toBeGreaterThan(0);

    const output = await linesOf(openai, batch.output_file_id);
    const errors = await linesOf(openai, batch.error_file_id);
    const customIds = [...output, ...errors].map((line) => line.custom_id).filter((id) => id !== null);
    expect(customIds.sort()).toEqual(['good-1', 'good-2', 'good-3', 'invalid-body', 'unknown-model', 'wrong-url']);
    expect(errors.filter((line) => line.custom_id === null)).toHaveLength(1);
    expect(output.map((line) => line.custom_id).sort()).toEqual(['good-1', 'good-2', 'good-3']);

    const usageOf = (line: ResultLine) => line.response!.body.usage as { prompt_tokens: number; completion_tokens: number };
    expect(batch.usage?.input_tokens).toBe(output.reduce((sum, line) => sum + usageOf(line).prompt_tokens, 0));
    expect(batch.usage?.output_tokens).toBe(output.reduce((sum, line) => sum + usageOf(line).completion_tokens, 0));
    for (const line of output) {
      expect(line.id).toMatch(/^batch_req_/);
      expect(line.error).toBeNull();
      expect(line.response?.status_code).toBe(200);
      const request = good.find((candidate) => candidate.custom_id === line.custom_id)!;
      const sync = await openai.chat.completions.create(request.body as OpenAI.ChatCompletionCreateParamsNonStreaming);
      expect(stable(line.response!.body)).toEqual(stable(sync as unknown as Record<string, unknown>));
    }

    const byId = new Map(errors.map((line) => [line.custom_id, line]));
    expect(byId.get('unknown-model')?.response).toMatchObject({ status_code: 404, body: { error: { code: 'model_not_found' } } });
    expect(byId.get('invalid-body')?.response).toMatchObject({ status_code: 400, body: { error: { type: 'invalid_request_error' } } });
    expect(byId.get('wrong-url')?.error?.message).toMatch(/url/);
    expect(byId.get(null)?.response).toBeNull();
    expect(byId.get(null)?.error?.message).toBeTruthy();
  });

  it('fails a file that is not JSONL at all, saying why in errors', async () => {
    const file = await upload(openai, 'name,age\nada,36\n', 'people.csv');
    const created = await openai.batches.create({ input_file_id: file.id, endpoint: '/v1/chat/completions', completion_window: '24h' });
    const batch = await untilEnded(openai, created.id);
    expect(batch.status).toBe('failed');
    expect(batch.failed_at).toBeGreaterThan(0);
    expect(batch.errors?.data?.length).toBeGreaterThan(0);
    expect(batch.errors?.data?.[0]?.message).toBeTruthy();
  });

  it('refuses a file with more lines than a batch holds', async () => {
    const lines = Array.from({ length: maxLines + 1 }, (_, index) => chatLine(`line-${index}`, 'x'));
    const file = await upload(openai, jsonl(lines));
    const error = await rejection(openai.batches.create({ input_file_id: file.id, endpoint: '/v1/chat/completions', completion_window: '24h' }));
    expect(error.status).toBe(400);
    expect(error.param).toBe('input_file_id');
  });
});

describe('the inline requests extension', () => {
  it('runs requests given in the body, with the file it stored them in as input_file_id', async () => {
    const requests = [chatLine('inline-1', 'one'), chatLine('inline-2', 'two')];
    const created = await openai.post<Batch>('/batches', { body: { endpoint: '/v1/chat/completions', requests } });
    expect(created.completion_window).toBe('24h');
    expect(created.input_file_id).toMatch(/^file-/);
    const batch = await untilEnded(openai, created.id);
    expect(batch).toMatchObject({ status: 'completed', request_counts: { total: 2, completed: 2, failed: 0 } });
    const output = await linesOf(openai, batch.output_file_id);
    expect(output.map((line) => line.custom_id).sort()).toEqual(['inline-1', 'inline-2']);
  });
});

describe('other endpoints', () => {
  it('runs an embeddings batch whose lines answer as /v1/embeddings does', async () => {
    const body = { model: 'mock-embed', input: ['batch me', 'and me'], dimensions: 4 };
    const created = await openai.post<Batch>('/batches', {
      body: { endpoint: '/v1/embeddings', requests: [{ custom_id: 'embed', method: 'POST', url: '/v1/embeddings', body }] },
    });
    const batch = await untilEnded(openai, created.id);
    expect(batch).toMatchObject({ status: 'completed', endpoint: '/v1/embeddings', request_counts: { total: 1, completed: 1, failed: 0 } });
    const [line] = await linesOf(openai, batch.output_file_id);
    const sync = await fetch(`${gateway.url}/v1/embeddings`, {
      method: 'POST',
      headers: { authorization: `Bearer ${gateway.apiKey}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    const { _proxy_info: proxyInfo, ...syncBody } = (await sync.json()) as Record<string, unknown>;
    expect(proxyInfo).toMatchObject({ provider: 'mock' });
    expect(line?.response?.body).toEqual(syncBody);
  });
});

describe('validation at creation', () => {
  it.each([
    ['an unknown endpoint', { endpoint: '/v1/responses', completion_window: '24h' }, 'endpoint'],
    ['another completion window', { endpoint: '/v1/chat/completions', completion_window: '1h' }, 'completion_window'],
    [
      'an undeliverable metadata.webhook_url',
      { endpoint: '/v1/chat/completions', completion_window: '24h', metadata: { webhook_url: 'http://10.0.0.1/hook' } },
      'metadata.webhook_url',
    ],
  ])('answers 400 to %s', async (_what, fields, param) => {
    const file = await upload(openai, jsonl([chatLine('a', 'x')]));
    const error = await rejection(openai.batches.create({ input_file_id: file.id, ...fields } as OpenAI.BatchCreateParams));
    expect(error.status).toBe(400);
    expect(error.param).toBe(param);
  });

  it('answers a missing input_file_id with 400 and an unknown one with 404', async () => {
    const missing = await rejection(openai.post('/batches', { body: { endpoint: '/v1/chat/completions', completion_window: '24h' } }));
    expect(missing.status).toBe(400);
    const unknown = await rejection(openai.batches.create({ input_file_id: 'file-doesnotexist', endpoint: '/v1/chat/completions', completion_window: '24h' }));
    expect(unknown.status).toBe(404);
    expect(unknown.param).toBe('input_file_id');
  });

  it('answers ids that cannot exist (a NUL, kilobytes) with 404, without echoing them', async () => {
    const file = await rejection(openai.batches.create({ input_file_id: 'file-\u0000bad', endpoint: '/v1/chat/completions', completion_window: '24h' }));
    expect(file.status).toBe(404);
    const long = 'x'.repeat(4000);
    const batch = await rejection(openai.batches.retrieve(long));
    expect(batch.status).toBe(404);
    expect(batch.message).not.toContain(long);
    const message = await fetch(`${gateway.url}/v1/messages/batches/${long}`, { headers: { 'x-api-key': gateway.apiKey } });
    expect(message.status).toBe(404);
    expect(await message.json()).toMatchObject({ type: 'error', error: { type: 'not_found_error' } });
  });
});

describe('tenancy', () => {
  it("treats another org's file and batch as unknown", async () => {
    const other = await gateway.createTenant('org-b');
    const stranger = openAIClient(gateway, other.apiKey);
    const file = await upload(openai, jsonl([chatLine('mine', 'x')]));
    const batch = await openai.batches.create({ input_file_id: file.id, endpoint: '/v1/chat/completions', completion_window: '24h' });

    expect((await rejection(stranger.batches.create({ input_file_id: file.id, endpoint: '/v1/chat/completions', completion_window: '24h' }))).status).toBe(404);
    expect((await rejection(stranger.batches.retrieve(batch.id))).status).toBe(404);
    expect((await rejection(stranger.batches.cancel(batch.id))).status).toBe(404);
    const theirs = await stranger.batches.list();
    expect(theirs.data.map((item) => item.id)).not.toContain(batch.id);
    await untilEnded(openai, batch.id);
  });
});

describe('cancel', () => {
  it('ends cancelled with the lines that finished in the output file and the rest in the error file', async () => {
    gateway.upstreams.openai.behave('slow-gpt', { latencyMs: 400 });
    const lines = Array.from({ length: 8 }, (_, index) => chatLine(`slow-${index}`, `question ${index}`, 'slow-gpt'));
    const file = await upload(openai, jsonl(lines));
    const created = await openai.batches.create({ input_file_id: file.id, endpoint: '/v1/chat/completions', completion_window: '24h' });
    await eventually('a first line to complete', async () => ((await openai.batches.retrieve(created.id)).request_counts?.completed ?? 0) >= 1);

    const cancelling = await openai.batches.cancel(created.id);
    expect(['cancelling', 'cancelled']).toContain(cancelling.status);
    expect(cancelling.cancelling_at).toBeGreaterThan(0);

    const batch = await untilEnded(openai, created.id);
    expect(batch.status).toBe('cancelled');
    expect(batch.cancelled_at).toBeGreaterThan(0);
    const output = await linesOf(openai, batch.output_file_id);
    const errors = await linesOf(openai, batch.error_file_id);
    expect(output.length).toBeGreaterThanOrEqual(1);
    expect(output.length).toBeLessThan(lines.length);
    expect([...output, ...errors].map((line) => line.custom_id).sort()).toEqual(lines.map((line) => line.custom_id).sort());
    expect(errors.every((line) => line.error?.code === 'batch_cancelled')).toBe(true);
    expect(batch.request_counts?.completed).toBe(output.length);
  });
});

describe('list', () => {
  it('pages newest first with limit and after, as the SDK follows it', async () => {
    const ids: string[] = [];
    for (const index of [1, 2, 3]) {
      const created = await openai.post<Batch>('/batches', { body: { endpoint: '/v1/chat/completions', requests: [chatLine(`list-${index}`, 'x')] } });
      ids.push(created.id);
    }
    const first = await openai.batches.list({ limit: 2 });
    expect(first.data.map((batch) => batch.id)).toEqual([ids[2], ids[1]]);
    expect(first.has_more).toBe(true);
    const listed: string[] = [];
    for await (const batch of openai.batches.list({ limit: 2 })) listed.push(batch.id);
    expect(listed.slice(0, 3)).toEqual([ids[2], ids[1], ids[0]]);
    expect(new Set(listed).size).toBe(listed.length);
    const limit = await rejection(openai.batches.list({ limit: 101 }));
    expect(limit.status).toBe(400);
  });
});

describe('expiry', () => {
  // A gateway of its own: its completion window lasts 2 s and no worker runs, so nothing can finish in time.
  const short = useGateway({ workers: false, overrides: { batches: { completionWindowSeconds: 2, tickMs: 50 } } });

  it('ends expired with every line in the error file as batch_expired', async () => {
    const client = short.openai;
    const lines = [chatLine('late-1', 'x'), chatLine('late-2', 'y')];
    const file = await upload(client, jsonl(lines));
    const created = await client.batches.create({ input_file_id: file.id, endpoint: '/v1/chat/completions', completion_window: '24h' });
    expect((created.expires_at ?? 0) - created.created_at).toBeLessThanOrEqual(3);
    const batch = await untilEnded(client, created.id);
    expect(batch.status).toBe('expired');
    expect(batch.expired_at).toBeGreaterThan(0);
    const errors = await linesOf(client, batch.error_file_id);
    expect(errors.map((line) => line.custom_id).sort()).toEqual(['late-1', 'late-2']);
    expect(errors.every((line) => line.error?.code === 'batch_expired')).toBe(true);
    expect(await linesOf(client, batch.output_file_id)).toEqual([]);
  });
});
