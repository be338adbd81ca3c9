// pnpm bench: Switchyard (`all`, and split into api + worker) against a minimal direct
// pass-through proxy, a bare BullMQ request/reply floor and Portkey's gateway, on the same
// mock upstream, measured in the same run. See scripts/README.md.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { benchUsage, parseBenchArguments } from './arguments.ts';
import { startBenchRedis } from './bench-redis.ts';
import { startMockUpstreamProcess, stopAllChildren } from './child-process.ts';
import { measureLedgerIngest } from './ledger-ingest.ts';
import { measureWebhookDelivery, renderWebhookDelivery } from './webhook-delivery.ts';
import { measureIdleMemory, renderIdleMemoryGoal, renderIdleMemoryMarkdown, renderIdleMemoryTable } from './idle-memory.ts';
import { describeMachine } from './machine.ts';
import { startFloor } from './floor-target.ts';
import { startPassthrough } from './passthrough-target.ts';
import { startPortkey } from './portkey-target.ts';
import { buildReport, renderMarkdown, renderTable } from './report.ts';
import { runScenario, type ScenarioResult } from './run-scenario.ts';
import { scenarios, upstreamBehaviors } from './scenarios.ts';
import { startSwitchyardAll } from './switchyard-all-target.ts';
import { startSwitchyardSplit } from './switchyard-stack.ts';
import type { Target, TargetName } from './targets.ts';

const log = (line: string) => process.stderr.write(`${line}\n`);

async function main(argv: string[]): Promise<void> {
  const options = parseBenchArguments(argv);
  if (options === 'help') {
    process.stdout.write(`${benchUsage}\n`);
    return;
  }
  const selected = options.only ? scenarios.filter((scenario) => options.only!.includes(scenario.id)) : scenarios;
  if (selected.length === 0) throw new Error(`no scenario matches --only ${options.only?.join(',')}`);

  try {
    const redis = await startBenchRedis();
    const machine = await describeMachine(redis.url);
    const { service: upstream, url: upstreamUrl } = await startMockUpstreamProcess(upstreamBehaviors);
    const unavailableTargets: Partial<Record<TargetName, string>> = {};
    const starters: Record<TargetName, () => Promise<Target>> = {
      passthrough: () => startPassthrough({ upstreamUrl }),
      floor: () => startFloor({ redis }),
      portkey: () => startPortkey({ upstreamUrl }),
      'switchyard-all': () => startSwitchyardAll({ upstreamUrl, redis }),
      'switchyard-split': () => startSwitchyardSplit({ upstreamUrl, redis }),
    };
    for (const name of options.targets) {
      log(`starting ${name}`);
      try {
        targets.push(await starters[name]());
      } catch (error) {
        // Portkey is a comparison, not the system measured: without it the bench still runs.
        if (name !== 'portkey') throw error;
        unavailableTargets[name] = `could not start: ${(error as Error).message.split('\n')[0]}`;
        log(`  ${name} not measured: ${unavailableTargets[name]}`);
      }
    }
    log(
      `bench: ${selected.length} scenario(s), ${options.timing.rounds} round(s) x (${options.timing.warmupMs} ms warm-up + ${options.timing.durationMs} ms) per target`,
    );

    const results: ScenarioResult[] = [];
    for (const scenario of selected) {
      log(`${scenario.id}: ${scenario.title}`);
      const result = await runScenario(scenario, targets, { 'load-generator': process.pid, upstream: upstream.pid }, options.timing, log);
      if (result.skipped) log(`  skipped: ${result.skipped}`);
      results.push(result);
    }

    // Stop the targets first: the ledger measurement should have the machine to itself, as they did.
    await shutdownTargets();
    log('ledger ingest: usage records per second from the ledger stream into Postgres');
    const ledgerIngest = await measureLedgerIngest({ redisUrl: redis.url, records: options.quick ? 5_000 : 30_000 });
    log('webhooks: deliveries per second to a local receiver, and event created -> delivered');
    const webhookDelivery = await measureWebhookDelivery({ redisUrl: redis.url, backlog: options.quick ? 1000 : 5000, trickle: options.quick ? 200 : 1000 });
    // Not shortened by --quick: memory keeps settling for some seconds after start-up.
    const idleMs = 10_000;
    log(`idle memory: each process kind alone, ${idleMs / 1000} s idle`);
    const idleMemory = await measureIdleMemory({ redisUrl: redis.url, idleMs, log });
    const peakThroughput = Math.max(
      ...results.flatMap((result) =>
        result.measurements.filter((measurement) => measurement.target.startsWith('switchyard')).map((measurement) => measurement.throughput),
      ),
    );

    const command = options.quick ? 'pnpm bench --quick' : ['pnpm bench', ...argv].join(' ');
    const report = buildReport({ command, machine, redis: redis.description, timing: options.timing, results, unavailableTargets });
    const ingest = { ...ledgerIngest, peakInferenceRequestsPerSecond: peakThroughput, ratio: ledgerIngest.usageRecordsPerSecond / peakThroughput };
    mkdirSync(dirname(options.output), { recursive: true });
    writeFileSync(
      options.output,
      `${JSON.stringify({ ...report, ledgerIngest: ingest, webhookDelivery, idleMemory: { idleMs, processes: idleMemory } }, null, 2)}\n`,
    );
    const ingestLine =
      `Ledger ingest: ${ingest.usageRecordsPerSecond.toFixed(0)} usage records/s into Postgres (${ingest.records} records + as many job records, batches of 500), ` +
      `${ingest.ratio.toFixed(1)}x the highest inference throughput of this run (${peakThroughput.toFixed(0)} req/s, one usage record each): ${ingest.ratio > 1 ? 'the ledger stays ahead' : 'the ledger FALLS BEHIND'}.`;
    const webhookLine = renderWebhookDelivery(webhookDelivery);
    const memoryTable = `Idle memory (${idleMs / 1000} s after ready):\n${renderIdleMemoryTable(idleMemory)}\n${renderIdleMemoryGoal(idleMemory)}`;
    const memoryMarkdown = `${renderIdleMemoryMarkdown(idleMemory, idleMs)}\n\n${renderIdleMemoryGoal(idleMemory)}`;
    process.stdout.write(
      `${renderTable(report)}\n\n${ingestLine}\n\n${webhookLine}\n\n${memoryTable}\n\nJSON: ${options.output}\n\nMarkdown for the README:\n\n${renderMarkdown(report)}\n\n${ingestLine}\n\n${webhookLine}\n\n${memoryMarkdown}\n`,
    );
  } finally {
    await shutdown();
  }
}

const targets: Target[] = [];
let stopping: Promise<void> | undefined;

/** Stops the targets (which drops the database and the Redis keys), then any child left. Runs once. */
let targetsStopped: Promise<void> | undefined;

function shutdownTargets(): Promise<void> {
  targetsStopped ??= (async () => {
    for (const target of targets.reverse()) await target.stop().catch((error: unknown) => log(`stopping ${target.name}: ${(error as Error).message}`));
  })();
  return targetsStopped;
}

function shutdown(): Promise<void> {
  stopping ??= (async () => {
    await shutdownTargets();
    await stopAllChildren();
  })();
  return stopping;
}

// Ctrl-C mid-run: clean up as the finally would, then leave.
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    log(`bench: ${signal}, stopping`);
    void shutdown().finally(() => process.exit(130));
  });
}

main(process.argv.slice(2)).then(
  () => process.exit(0),
  (error: unknown) => {
    log(`bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    process.exit(1);
  },
);
