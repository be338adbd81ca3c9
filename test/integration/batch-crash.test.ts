import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { createBatch, getBatch, type BatchRecord } from '@switchyard/batches';
import { loadConfig } from '@switchyard/config';
import { createDb, type DbHandle } from '@switchyard/db';
import { createSilentLogger } from '@switchyard/logger';
import { eventually, startMockOpenAIUpstream, type MockUpstream } from '@switchyard/testing';
import { chatLine, readFileLines } from '../support/batches.ts';
import { prepareProcessStack, type ProcessStack, type ServiceProcess } from '../support/processes.ts';

// Worker and ledger (which runs the batch driver) as separate OS processes, SIGKILLed mid-batch.
let upstream: MockUpstream;
let stack: ProcessStack;
let database: DbHandle;
let redis: Redis;
const lineCount = 240;

beforeAll(async () => {
  upstream = await startMockOpenAIUpstream({ record: false });
  stack = await prepareProcessStack({
    env: { OPENAI_API_KEY: 'sk-upstream', OPENAI_BASE_URL: upstream.url },
    configYaml: [
      'worker:',
      '  lockDurationMs: 1000',
      '  stalledIntervalMs: 500',
      'batches:',
      '  maxQueuedLines: 30',
      '  chunkLines: 10',
      '  tickMs: 50',
      '',
    ].join('\n'),
  });
  database = await createDb({ url: stack.env.DATABASE_URL! });
  redis = new Redis(stack.redisUrl);
}, 60_000);

afterAll(async () => {
  await stack?.stop();
  await redis?.quit();
  await database?.close();
  await upstream?.close();
});

const startWorker = (): ServiceProcess => stack.start(['worker', '--provider', 'openai', '--concurrency', '8']);
const startLedger = (): ServiceProcess => stack.start(['ledger']);

describe('batch crash safety', () => {
  it('completes every line exactly once when the worker and the ledger (with the driver) are SIGKILLed mid-batch', async () => {
    upstream.behave('gpt-4o-mini', { latencyMs: 60 });
    const config = loadConfig({ env: stack.env });
    const org = await database.db.selectFrom('orgs').select('id').executeTakeFirstOrThrow();
    const lines = Array.from({ length: lineCount }, (_, index) => chatLine(`crash-${index}`, `crash question ${index}`));
    let worker = startWorker();
    let ledger = startLedger();
    const created = await createBatch(
      { db: database.db, redis, config, logger: createSilentLogger() },
      { orgId: org.id, keyId: 'key_crash', endpoint: '/v1/chat/completions', completionWindow: '24h', source: { lines }, shell: 'openai' },
    );
    const completed = async () => (await getBatch(database.db, org.id, created.id))?.counts.completed ?? 0;

    await eventually('a first part of the batch to complete', async () => (await completed()) >= 40, { timeoutMs: 60_000 });
    await Promise.all([worker.stop('SIGKILL'), ledger.stop('SIGKILL')]);
    worker = startWorker();
    ledger = startLedger();

    await eventually('more of the batch to complete', async () => (await completed()) >= 120, { timeoutMs: 60_000 });
    await ledger.stop('SIGKILL');
    ledger = startLedger();
    await eventually('yet more of the batch to complete', async () => (await completed()) >= 160, { timeoutMs: 60_000 });
    await worker.stop('SIGKILL');
    worker = startWorker();

    const ended = await eventually(
      'the batch to complete',
      async () => {
        const batch = await getBatch(database.db, org.id, created.id);
        return batch?.status === 'completed' ? batch : undefined;
      },
      { timeoutMs: 120_000, intervalMs: 100 },
    );
    expectEveryLineOnce(ended, await readFileLines(database.db, ended.outputFileId), await readFileLines(database.db, ended.errorFileId));

    // One jobs row per line; one usage event per attempt the jobs record.
    const jobs = await database.db.selectFrom('jobs').select(['id', 'attempts', 'status']).where('batch_id', '=', created.id).execute();
    expect(jobs).toHaveLength(lineCount);
    expect(new Set(jobs.map((job) => job.id)).size).toBe(lineCount);
    // A line's usage record can still sit unacknowledged with the killed ledger when its job
    // record (read by the new ledger) finished the line: the new ledger claims it once it has
    // been idle for its claim time (30 s), so the usage arrives later, and exactly once.
    const usageOf = () => database.db.selectFrom('usage_events').select(['request_id', 'attempt']).where('request_id', 'like', `${created.id}-%`).execute();
    const events = await eventually(
      "every line's usage in the ledger",
      async () => {
        const recorded = await usageOf();
        return new Set(recorded.map((event) => event.request_id)).size === lineCount && recorded;
      },
      { timeoutMs: 120_000, intervalMs: 250 },
    );
    expect(events).toHaveLength(jobs.reduce((sum, job) => sum + job.attempts, 0));
  }, 300_000);
});

function expectEveryLineOnce(batch: BatchRecord, output: Array<{ custom_id: string | null }>, errors: Array<{ custom_id: string | null }>): void {
  expect(batch.counts).toMatchObject({ total: lineCount, completed: lineCount, failed: 0 });
  expect(output).toHaveLength(lineCount);
  expect(errors).toHaveLength(0);
  const ids = output.map((line) => line.custom_id);
  expect(new Set(ids).size).toBe(lineCount);
  expect(new Set(ids)).toEqual(new Set(Array.from({ length: lineCount }, (_, index) => `crash-${index}`)));
}
