// pnpm bench:batch: batch lines per second against the same requests as sync calls at
// concurrency 64, in the same run, at an instant and a 200 ms mock upstream; peak Redis
// memory while a batch runs; sync chat p50 while a batch runs against idle. See scripts/README.md.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { parseArgs } from 'node:util';
import { Redis } from 'ioredis';
import { createBatch, getBatch, type BatchRecord } from '@switchyard/batches';
import { loadConfig } from '@switchyard/config';
import { createDb } from '@switchyard/db';
import { createSilentLogger } from '@switchyard/logger';
import { startBenchRedis } from './bench-redis.ts';
import { startBatchStack } from './batch-stack.ts';
import { startMockUpstreamProcess, stopAllChildren } from './child-process.ts';
import { runLoad, type LoadRequest } from './load-generator.ts';
import { distribution } from './statistics.ts';

const log = (line: string) => process.stderr.write(`${line}\n`);

// The model picks the mock's latency; the chat probe always asks the instant one.
const modelByLatency: Record<number, string> = { 0: 'gpt-4o-mini', 200: 'gpt-4o' };
const probeModel = 'gpt-4o-mini';
const workerConcurrency = 128;

const usage = `pnpm bench:batch [--lines N] [--full] [--sync-ms N] [--output <file.json>]

  --lines    lines per batch (default 5000)
  --full     50,000-line batches (OpenAI's limit)
  --sync-ms  measured window of the sync comparison at concurrency 64 (default 8000)`;

const chatBody = (model: string, content: string) => JSON.stringify({ model, messages: [{ role: 'user', content }] });

async function main(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      lines: { type: 'string', default: '5000' },
      full: { type: 'boolean', default: false },
      'sync-ms': { type: 'string', default: '8000' },
      output: { type: 'string', default: 'scripts/bench/results/batch.json' },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) return void process.stdout.write(`${usage}\n`);
  const lineCount = values.full ? 50_000 : Number(values.lines);
  const syncMs = Number(values['sync-ms']);

  const redis = await startBenchRedis();
  const { url: upstreamUrl } = await startMockUpstreamProcess({ [modelByLatency[200]!]: { latencyMs: 200 } });
  const stack = await startBatchStack({ upstreamUrl, redis, workerConcurrency });
  const config = loadConfig({ env: stack.env });
  const database = await createDb({ url: stack.databaseUrl });
  const commands = new Redis(redis.url);
  const deps = { db: database.db, redis: commands, config, logger: createSilentLogger() };
  const headers = { authorization: `Bearer ${stack.apiKey}`, 'content-type': 'application/json' };
  const chatRequest = (model: string): LoadRequest => ({ path: '/v1/chat/completions', headers, body: chatBody(model, 'bench question'), stream: false });
  const usedMemory = async () => Number(/used_memory:(\d+)/.exec(await commands.info('memory'))?.[1] ?? Number.NaN);

  try {
    log('idle: sync chat at concurrency 1, no batch');
    const idle = await runLoad({ origin: stack.url, request: chatRequest(probeModel), concurrency: 1, warmupMs: 1000, durationMs: 4000 });
    const idleP50 = distribution(idle.latencyMs).p50;
    const rows = [];
    for (const latencyMs of [0, 200]) {
      const model = modelByLatency[latencyMs]!;
      log(`${latencyMs} ms upstream: the same requests as sync calls at concurrency 64 (${syncMs} ms)`);
      const sync = await runLoad({ origin: stack.url, request: chatRequest(model), concurrency: 64, warmupMs: 1500, durationMs: syncMs });
      const syncPerSecond = sync.completed / (syncMs / 1000);

      log(`${latencyMs} ms upstream: one batch of ${lineCount} lines`);
      const baselineMemory = await usedMemory();
      const lines = Array.from({ length: lineCount }, (_, index) =>
        JSON.stringify({
          custom_id: `line-${index}`,
          method: 'POST',
          url: '/v1/chat/completions',
          body: { model, messages: [{ role: 'user', content: 'bench question' }] },
        }),
      );
      const startedAt = Date.now();
      const batch = await createBatch(deps, {
        orgId: stack.orgId,
        keyId: 'key_bench',
        endpoint: '/v1/chat/completions',
        completionWindow: '24h',
        source: { lines },
        shell: 'openai',
      });
      let peakMemory = baselineMemory;
      let done = false;
      const probeLatencies: number[] = [];
      const probe = (async () => {
        while (!done) {
          const sentAt = performance.now();
          const response = await fetch(`${stack.url}/v1/chat/completions`, { method: 'POST', headers, body: chatBody(probeModel, 'probe during the batch') });
          await response.text();
          if (response.ok && !done) probeLatencies.push(performance.now() - sentAt);
        }
      })();
      let ended: BatchRecord | undefined;
      for (;;) {
        peakMemory = Math.max(peakMemory, await usedMemory());
        const current = await getBatch(database.db, stack.orgId, batch.id);
        if (current && ['completed', 'failed', 'cancelled', 'expired'].includes(current.status)) {
          ended = current;
          break;
        }
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
      done = true;
      await probe;
      const seconds = (Date.now() - startedAt) / 1000;
      const linesPerSecond = ended.counts.completed / seconds;
      const running = distribution(probeLatencies);
      rows.push({
        upstreamLatencyMs: latencyMs,
        lines: lineCount,
        status: ended.status,
        completed: ended.counts.completed,
        batchSeconds: Number(seconds.toFixed(2)),
        validationSeconds: ended.inProgressAt === null ? null : Number(((ended.inProgressAt - ended.createdAt) / 1000).toFixed(2)),
        finalizingSeconds:
          ended.finalizingAt === null || ended.completedAt === null ? null : Number(((ended.completedAt - ended.finalizingAt) / 1000).toFixed(2)),
        batchLinesPerSecond: Number(linesPerSecond.toFixed(1)),
        syncRequestsPerSecondC64: Number(syncPerSecond.toFixed(1)),
        ratio: Number((linesPerSecond / syncPerSecond).toFixed(2)),
        redisBaselineMb: Number((baselineMemory / 2 ** 20).toFixed(1)),
        redisPeakMb: Number((peakMemory / 2 ** 20).toFixed(1)),
        chatP50DuringBatchMs: Number(running.p50.toFixed(2)),
        chatP50IdleMs: Number(idleP50.toFixed(2)),
        chatProbes: running.count,
      });
      log(`  ${JSON.stringify(rows.at(-1))}`);
    }
    mkdirSync(dirname(values.output), { recursive: true });
    writeFileSync(
      values.output,
      `${JSON.stringify({ command: ['pnpm bench:batch', ...argv].join(' '), redis: redis.description, workerConcurrency, rows }, null, 2)}\n`,
    );
    process.stdout.write(
      `\n| upstream | lines | batch lines/s | validation / finalizing | sync req/s (c64) | ratio | Redis peak (baseline) | chat p50 during batch | chat p50 idle |\n|---|---|---|---|---|---|---|---|---|\n${rows
        .map(
          (row) =>
            `| ${row.upstreamLatencyMs} ms | ${row.lines} (${row.status}) | ${row.batchLinesPerSecond} | ${row.validationSeconds} s / ${row.finalizingSeconds} s | ${row.syncRequestsPerSecondC64} | ${row.ratio}x | ${row.redisPeakMb} MB (${row.redisBaselineMb} MB) | ${row.chatP50DuringBatchMs} ms | ${row.chatP50IdleMs} ms |`,
        )
        .join('\n')}\n\nJSON: ${values.output}\n`,
    );
  } finally {
    await commands.quit().catch(() => {});
    await database.close();
    await stack.stop();
    await stopAllChildren();
  }
}

main(process.argv.slice(2)).then(
  () => process.exit(0),
  (error: unknown) => {
    log(`bench:batch failed: ${(error as Error).stack ?? String(error)}`);
    void stopAllChildren().finally(() => process.exit(1));
  },
);
