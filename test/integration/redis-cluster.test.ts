// Every part of the gateway against a real three-master Redis Cluster (REDIS_CLUSTER_NODES):
// sync, streamed and async requests and a file batch through the official openai SDK,
// usage in the ledger (Postgres), each provider queue on its own hash slot, and the
// rate limit, Idempotency-Key and a circuit breaker shared through the cluster.
import OpenAI, { toFile } from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDb, updateOrg } from '@switchyard/db';
import type { StreamMessage } from '@switchyard/core';
import {
  bullmqPrefix,
  createRedis,
  createRedisHealthReporter,
  createReplyBus,
  createTokenBatchAppender,
  createTokenStreamWriter,
  inferenceQueueName,
  isCluster,
  ledgerDeadLetterKey,
  ledgerFailuresKey,
  ledgerStreamKey,
  publishReply,
  readTokenStream,
  streamKey,
  type RedisConnection,
} from '@switchyard/queue';
import { deletePrefix, eventually, expectedMockAnswer, startMockOpenAIUpstream, uniquePrefix, type MockUpstream } from '@switchyard/testing';
import { openAIClient } from '../support/clients.ts';
import { startTestGateway, type TestGateway } from '../support/gateway.ts';
import { createJob } from '../support/jobs.ts';
import { prepareProcessStack, waitForHttp, type ProcessStack } from '../support/processes.ts';
import { clusterUnsupportedReason, startLocalRedisCluster, type LocalRedisCluster } from '../support/redis-cluster.ts';

const unsupported = clusterUnsupportedReason();
if (unsupported) console.warn(`skipping the Redis Cluster tests: ${unsupported}`);

const upstreamKey = 'sk-openai-upstream-cluster-0123456789';
const breaker = { failureThreshold: 2, windowMs: 60_000, openMs: 600_000 };

describe.skipIf(unsupported !== undefined)('the gateway on a Redis Cluster', () => {
  let cluster: LocalRedisCluster;
  let upstream: MockUpstream;
  let gateway: TestGateway;
  let client: OpenAI;
  let redis: RedisConnection;

  beforeAll(async () => {
    cluster = await startLocalRedisCluster();
    upstream = await startMockOpenAIUpstream({ apiKey: upstreamKey });
    gateway = await startTestGateway({
      // The single Redis URL the helper also sets is ignored once cluster nodes are given.
      overrides: {
        redis: { url: 'redis://127.0.0.1:1', clusterNodes: cluster.nodes },
        providers: { openai: { apiKey: upstreamKey, baseUrl: upstream.url, attempts: 1, breaker } },
        models: { 'sick-model': { provider: 'openai' } },
        batches: { tickMs: 50 },
      },
    });
    client = openAIClient(gateway);
    redis = createRedis(gateway.config.redis, { role: 'producer', name: 'cluster-test' });
  }, 120_000);

  afterAll(async () => {
    await redis?.quit().catch(() => redis.disconnect());
    await gateway?.stop();
    await upstream?.close();
    await cluster?.stop();
  });

  const usageOf = (requestId: string) =>
    eventually(`usage of ${requestId} in the ledger`, () =>
      gateway.database.db.selectFrom('usage_events').selectAll().where('request_id', '=', requestId).executeTakeFirst(),
    );
  const keySlot = async (key: string) => Number(await redis.cluster('KEYSLOT', key));

  it('answers a sync completion and records its usage in Postgres', async () => {
    const { data, response } = await client.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'hello cluster' }] }).withResponse();
    const expected = expectedMockAnswer(['hello cluster'], 'hello cluster');
    expect(data.choices[0]!.message.content).toBe(expected.text);
    const usage = await usageOf(response.headers.get('x-request-id')!);
    expect(usage).toMatchObject({ provider: 'openai', input_tokens: expected.inputTokens, output_tokens: expected.outputTokens });
  });

  it('streams a completion chunk by chunk (sharded reply channel) and records its usage', async () => {
    const { data: stream, response } = await client.chat.completions
      .create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'stream through the cluster' }], stream: true, stream_options: { include_usage: true } })
      .withResponse();
    let text = '';
    let chunks = 0;
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta.content ?? '';
      chunks += 1;
    }
    const expected = expectedMockAnswer(['stream through the cluster'], 'stream through the cluster');
    expect(text).toBe(expected.text);
    expect(chunks).toBeGreaterThan(2);
    const usage = await usageOf(response.headers.get('x-request-id')!);
    expect(usage).toMatchObject({ input_tokens: expected.inputTokens, output_tokens: expected.outputTokens });
  });

  it('streams many requests at once: their token streams live on different nodes', async () => {
    const questions = Array.from({ length: 8 }, (_, index) => `concurrent stream number ${index}`);
    const texts = await Promise.all(
      questions.map(async (question) => {
        const stream = await client.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: question }], stream: true });
        let text = '';
        for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? '';
        return text;
      }),
    );
    expect(texts).toEqual(questions.map((question) => expectedMockAnswer([question], question).text));
  });

  it("subscribes the api's reply channel as sharded pub/sub on one shard, not as a classic channel", async () => {
    const masters = isCluster(redis) ? redis.nodes('master') : [];
    expect(masters).toHaveLength(3);
    const sharded = (await Promise.all(masters.map((node) => node.call('PUBSUB', 'SHARDCHANNELS', `${gateway.prefix}:reply:*`)))) as string[][];
    expect(sharded.flat()).toHaveLength(1);
    expect(sharded.filter((channels) => channels.length > 0)).toHaveLength(1);
    expect(await masters[0]!.call('PUBSUB', 'CHANNELS', `${gateway.prefix}:reply:*`)).toEqual([]);
  });

  it('runs an async job on the built-in mock provider and serves it from GET /v1/jobs/{id}', async () => {
    const id = await createJob(gateway, '/v1/chat/completions', { model: 'mock-fast', messages: [{ role: 'user', content: 'later please' }] });
    const job = await eventually('the job to complete', async () => {
      const response = await fetch(`${gateway.url}/v1/jobs/${id}`, { headers: { authorization: `Bearer ${gateway.apiKey}` } });
      const body = (await response.json()) as { status: string; output: { choices: Array<{ message: { content: string } }> } };
      return body.status === 'completed' && body;
    });
    expect(job.output.choices[0]!.message.content).toBe('This is a mock response to: later please');
    expect(await usageOf(id)).toMatchObject({ provider: 'mock' });
  });

  it('runs a small file batch to completion', async () => {
    const lines = ['one', 'two', 'three'].map((content) => ({
      custom_id: content,
      method: 'POST',
      url: '/v1/chat/completions',
      body: { model: 'mock-fast', messages: [{ role: 'user', content }] },
    }));
    const file = await client.files.create({
      file: await toFile(Buffer.from(lines.map((line) => JSON.stringify(line)).join('\n')), 'batch.jsonl'),
      purpose: 'batch',
    });
    const created = await client.batches.create({ input_file_id: file.id, endpoint: '/v1/chat/completions', completion_window: '24h' });
    const batch = await eventually('the batch to complete', async () => {
      const current = await client.batches.retrieve(created.id);
      return ['completed', 'failed', 'expired', 'cancelled'].includes(current.status) && current;
    });
    expect(batch.status).toBe('completed');
    expect(batch.request_counts).toMatchObject({ total: 3, completed: 3, failed: 0 });
    const output = await (await client.files.content(batch.output_file_id!)).text();
    const answers = output
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { custom_id: string; response: { body: { choices: Array<{ message: { content: string } }> } } });
    expect(answers.map((answer) => [answer.custom_id, answer.response.body.choices[0]!.message.content]).sort()).toEqual([
      ['one', 'This is a mock response to: one'],
      ['three', 'This is a mock response to: three'],
      ['two', 'This is a mock response to: two'],
    ]);
  });

  it('keeps each provider queue on its own hash slot, and the ledger keys on the stream slot', async () => {
    const queueKey = (provider: string) => `${bullmqPrefix(gateway.prefix, inferenceQueueName(provider))}:${inferenceQueueName(provider)}:id`;
    // Both queues have run jobs above, so their keys exist on the cluster.
    expect(await redis.exists(queueKey('openai'))).toBe(1);
    expect(await redis.exists(queueKey('mock'))).toBe(1);
    expect(await keySlot(queueKey('openai'))).not.toBe(await keySlot(queueKey('mock')));
    // The ledger acknowledges (a MULTI over the stream and its failures hash) what it wrote.
    await eventually('the ledger stream to drain', async () => (await redis.xlen(ledgerStreamKey(gateway.prefix))) === 0);
    const ledgerSlot = await keySlot(ledgerStreamKey(gateway.prefix));
    expect(await keySlot(ledgerFailuresKey(gateway.prefix))).toBe(ledgerSlot);
    expect(await keySlot(ledgerDeadLetterKey(gateway.prefix))).toBe(ledgerSlot);
  });

  it('answers the same Idempotency-Key from the cluster without calling the upstream again', async () => {
    const body = { model: 'gpt-4o', messages: [{ role: 'user' as const, content: 'exactly once' }] };
    const calls = upstream.requests.length;
    const first = await client.chat.completions.create(body, { headers: { 'Idempotency-Key': 'cluster-key-1' } }).withResponse();
    const second = await client.chat.completions.create(body, { headers: { 'Idempotency-Key': 'cluster-key-1' } }).withResponse();
    expect(second.data).toEqual(first.data);
    expect(upstream.requests.length).toBe(calls + 1);
  });

  it('refuses an org past its requests-per-minute limit with 429', async () => {
    const tenant = await gateway.createTenant('limited');
    await updateOrg(gateway.database.db, tenant.orgId, { rpmLimit: 2 });
    const limited = openAIClient(gateway, tenant.apiKey);
    const ask = () => limited.chat.completions.create({ model: 'mock-fast', messages: [{ role: 'user', content: 'hi' }] });
    await ask();
    await ask();
    const refused = await ask().catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(OpenAI.APIError);
    expect((refused as InstanceType<typeof OpenAI.APIError>).status).toBe(429);
  });

  it("is ready, and counts each provider queue's workers across the masters", async () => {
    const ready = await fetch(`${gateway.url}/ready`);
    expect(await ready.json()).toMatchObject({ status: 'ready', redis: true, postgres: true });
    const response = await fetch(`${gateway.url}/v1/health`, { headers: { authorization: `Bearer ${gateway.apiKey}` } });
    const health = (await response.json()) as { providers: Record<string, { workers: number }> };
    expect(health.providers.mock?.workers).toBeGreaterThan(0);
    expect(health.providers.openai?.workers).toBeGreaterThan(0);
  });

  it('opens a circuit breaker shared through the cluster', async () => {
    upstream.behave('sick-model', { status: 500 });
    for (let index = 0; index < breaker.failureThreshold; index++) {
      const failed = await client.chat.completions
        .create({ model: 'sick-model', messages: [{ role: 'user', content: 'hi' }] })
        .catch((error: unknown) => error);
      expect(failed).toBeInstanceOf(OpenAI.APIError);
    }
    await eventually("the sick model's breaker open", async () => {
      const response = await fetch(`${gateway.url}/v1/health`, { headers: { authorization: `Bearer ${gateway.apiKey}` } });
      const health = (await response.json()) as { providers: Record<string, { models: Record<string, { breaker: string }> }> };
      return health.providers.openai?.models['sick-model']?.breaker === 'open';
    });
  });

  describe('the queue package on its own', () => {
    const prefix = uniquePrefix('cluster');
    let subscriber: RedisConnection;
    const target = () => ({ url: 'redis://127.0.0.1:1', clusterNodes: cluster.nodes });

    beforeAll(() => {
      subscriber = createRedis(target(), { role: 'subscriber', name: 'cluster-test-replies' });
    });
    afterAll(async () => {
      subscriber?.disconnect();
      await deletePrefix(target(), prefix);
    });

    it('appends token batches of streams on every node in one turn, each live on the sharded reply channel', async () => {
      const replyTo = `${prefix}:reply:api-one`;
      const received: StreamMessage[] = [];
      const bus = await createReplyBus({ subscriber, commands: redis, channel: replyTo });
      const requestIds = Array.from({ length: 12 }, (_, index) => `req_cluster_${index}`);
      const slots = new Set(await Promise.all(requestIds.map((requestId) => keySlot(streamKey(prefix, requestId)))));
      expect(slots.size).toBeGreaterThan(1);
      const stops = requestIds.map((requestId) => bus.onStreamParts(requestId, (message) => received.push(message)));
      const appender = createTokenBatchAppender(redis);
      const writers = requestIds.map((requestId) => createTokenStreamWriter(redis, { prefix, requestId, replyTo, appender }));
      // One synchronous loop: every first part is queued in the same turn, so they share one send.
      for (const writer of writers) writer.write({ type: 'text-delta', text: 'hello' });
      await Promise.all(writers.map((writer) => writer.close()));
      for (const requestId of requestIds) {
        expect((await readTokenStream(redis, prefix, requestId, { afterSeq: 0 })).flatMap((message) => message.parts)).toEqual([
          { type: 'text-delta', text: 'hello' },
        ]);
      }
      await eventually('every batch on the reply channel', async () => received.length === requestIds.length);
      expect(received.map((message) => message.requestId).sort()).toEqual([...requestIds].sort());
      for (const stop of stops) stop();
      await bus.close();
    });

    it('reports a cluster none of whose seed nodes answers once, naming them and REDIS_CLUSTER_NODES, never a password', async () => {
      const lines: Array<{ level: string; message: string }> = [];
      const logger = {
        fatal: (_details: Record<string, unknown>, message: string) => lines.push({ level: 'fatal', message }),
        warn: (_details: Record<string, unknown>, message: string) => lines.push({ level: 'warn', message }),
        info: (_details: Record<string, unknown>, message: string) => lines.push({ level: 'info', message }),
      };
      const nowhere = { url: 'redis://:hunter2-secret@127.0.0.1:6379', clusterNodes: ['127.0.0.1:1', '127.0.0.1:2'] };
      const health = createRedisHealthReporter({ redis: nowhere, logger, service: 'api' });
      const connection = health.watch(createRedis(nowhere, { role: 'producer', name: 'nowhere' }), 'commands');
      try {
        await eventually('the outage to be reported', async () => lines.some((line) => line.level === 'fatal'));
        await new Promise((resolve) => setTimeout(resolve, 500));
        expect(lines.filter((line) => line.level === 'fatal')).toEqual([
          {
            level: 'fatal',
            message: expect.stringContaining(
              'api cannot reach Redis at cluster 127.0.0.1:1,127.0.0.1:2 (no node answered): start Redis there or point REDIS_CLUSTER_NODES',
            ),
          },
        ]);
        expect(JSON.stringify(lines)).not.toContain('hunter2');
      } finally {
        connection.disconnect();
      }
    });

    it('delivers a result on the sharded reply channel, inline and by reference', async () => {
      const replyTo = `${prefix}:reply:api-two`;
      const bus = await createReplyBus({ subscriber, commands: redis, channel: replyTo });
      // No recheck answers: only the published message can settle these waits.
      const small = bus.waitForResult('req_small', { timeoutMs: 60_000, recheck: async () => undefined });
      const large = bus.waitForResult('req_large', { timeoutMs: 60_000, recheck: async () => undefined });
      const result = (requestId: string, text: string) => ({
        kind: 'result' as const,
        requestId,
        jobId: requestId,
        status: 'completed' as const,
        output: { text },
        attempts: 1,
      });
      await publishReply(redis, prefix, replyTo, result('req_small', 'short'));
      await publishReply(redis, prefix, replyTo, result('req_large', 'y'.repeat(200_000)));
      expect((await small.promise)?.output).toEqual({ text: 'short' });
      expect((await large.promise)?.output).toEqual({ text: 'y'.repeat(200_000) });
      await bus.close();
    });
  });

  describe('as separate switchyard processes, configured by REDIS_CLUSTER_NODES', () => {
    let stack: ProcessStack;

    beforeAll(async () => {
      // REDIS_URL points at a closed port: only the cluster can serve these processes.
      stack = await prepareProcessStack({ env: { REDIS_CLUSTER_NODES: cluster.nodes.join(','), REDIS_URL: 'redis://127.0.0.1:1' } });
      const api = stack.start(['api']);
      stack.start(['worker', '--provider', 'all']);
      stack.start(['ledger']);
      await waitForHttp(`${stack.url}/health`, api);
    }, 90_000);
    afterAll(async () => {
      await stack?.stop();
    });

    it('answers a sync completion, and the ledger process records it in Postgres', async () => {
      const { data, response } = await openAIClient(stack)
        .chat.completions.create({ model: 'mock-fast', messages: [{ role: 'user', content: 'from processes' }] })
        .withResponse();
      expect(data.choices[0]!.message.content).toBe('This is a mock response to: from processes');
      const database = await createDb({ url: stack.env.DATABASE_URL! });
      try {
        const requestId = response.headers.get('x-request-id')!;
        const usage = await eventually('the usage row', () =>
          database.db.selectFrom('usage_events').selectAll().where('request_id', '=', requestId).executeTakeFirst(),
        );
        expect(usage).toMatchObject({ provider: 'mock' });
      } finally {
        await database.close();
      }
    });
  });
});
