// pnpm bench:scale: what a second worker process adds to one provider's throughput, what
// bounds it on this machine, and what a queued job costs Redis (`pnpm bench:scale --help`).
import { mkdirSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { dirname } from 'node:path';
import { parseArgs } from 'node:util';
import { setTimeout as sleep } from 'node:timers/promises';
import { startBenchRedis } from './bench-redis.ts';
import { startMockUpstreamProcess, stopAllChildren } from './child-process.ts';
import { runLoad } from './load-generator.ts';
import { describeMachine } from './machine.ts';
import { measureQueuedJobMemory, type QueuedJobMemory } from './queued-job-memory.ts';
import { renderScaleMarkdown, scaleBound, type ScaleMeasurement } from './scale-report.ts';
import { startScaleStack, type ScaleStack } from './scale-stack.ts';
import { requestBody, upstreamBehaviors } from './scenarios.ts';
import { percentile } from './statistics.ts';
import { addInto, startWindowCpu } from './window-cpu.ts';

const log = (line: string) => process.stderr.write(`${line}\n`);

// The bench's 50 ms model (scenarios.ts): the upstream answers each call after 50 ms.
const model = 'gpt-4o';
const upstreamLatencyMs = upstreamBehaviors[model]?.latencyMs ?? 50;
const concurrency = 256;
const usage = `pnpm bench:scale [--quick] [--rounds N] [--warmup-ms N] [--duration-ms N] [--jobs N] [--output <file.json>]

  1 vs 2 worker processes of one provider, ${upstreamLatencyMs} ms upstream, concurrency ${concurrency};
  rounds alternate the order (1 2, 2 1, ...). Then Redis used_memory per 1,000 queued jobs.
  --quick        1 round of 3 s per worker count, 1,000 jobs
  --jobs         jobs queued for the memory figure (default 5000; the queue holds 10,000)`;

type Options = { quick: boolean; rounds: number; warmupMs: number; durationMs: number; jobs: number; output: string };

function parseOptions(argv: string[]): Options | 'help' {
  const { values } = parseArgs({
    args: argv,
    options: {
      quick: { type: 'boolean', default: false },
      rounds: { type: 'string' },
      'warmup-ms': { type: 'string' },
      'duration-ms': { type: 'string' },
      jobs: { type: 'string' },
      output: { type: 'string', default: 'scripts/bench/results/scale-latest.json' },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) return 'help';
  const whole = (text: string | undefined, name: string, fallback: number) => {
    if (text === undefined) return fallback;
    const value = Number(text);
    if (!Number.isInteger(value) || value < 0) throw new Error(`--${name} wants a whole number, got "${text}"`);
    return value;
  };
  const quick = values.quick;
  return {
    quick,
    rounds: whole(values.rounds, 'rounds', quick ? 1 : 3),
    warmupMs: whole(values['warmup-ms'], 'warmup-ms', quick ? 1000 : 2000),
    durationMs: whole(values['duration-ms'], 'duration-ms', quick ? 3000 : 8000),
    jobs: whole(values.jobs, 'jobs', quick ? 1000 : 5000),
    output: values.output,
  };
}

type Accumulated = {
  requests: number;
  failed: number;
  failures: string[];
  windowMs: number;
  latencies: number[];
  cpuMs: Record<string, number>;
  otherMs: number;
};

async function main(argv: string[]): Promise<void> {
  const options = parseOptions(argv);
  if (options === 'help') {
    process.stdout.write(`${usage}\n`);
    return;
  }
  let stack: ScaleStack | undefined;
  try {
    const redis = await startBenchRedis();
    const machine = await describeMachine(redis.url);
    const { service: upstream, url: upstreamUrl } = await startMockUpstreamProcess(upstreamBehaviors);
    const body = requestBody({ id: 'scale', title: 'scale-out', concurrency, model, stream: false, goals: [] });
    stack = await startScaleStack({ upstreamUrl, redis, workerConcurrency: concurrency, workers: 1 });
    const running = stack;
    log(`bench:scale: ${options.rounds} round(s) x (${options.warmupMs} ms warm-up + ${options.durationMs} ms) per worker count, concurrency ${concurrency}`);

    const counts = [1, 2];
    const totals = new Map<number, Accumulated>(
      counts.map((count) => [count, { requests: 0, failed: 0, failures: [], windowMs: 0, latencies: [], cpuMs: {}, otherMs: 0 }]),
    );
    for (let round = 0; round < options.rounds; round++) {
      for (const workers of round % 2 === 0 ? counts : [...counts].reverse()) {
        await running.scaleWorkers(workers);
        const processes: Record<string, number> = { api: running.apiPid };
        for (const [index, pid] of running.workerPids().entries()) processes[`worker-${index + 1}`] = pid;
        if (redis.pid !== undefined) processes['redis-server'] = redis.pid;
        const helpers = { 'load-generator': process.pid, upstream: upstream.pid };
        let window: ReturnType<typeof startWindowCpu> | undefined;
        let cpu = { byRole: {} as Record<string, number>, helpers: {} as Record<string, number>, other: 0 };
        const load = await runLoad({
          origin: running.url,
          request: { path: '/v1/chat/completions', headers: running.headers, body, stream: false },
          concurrency,
          warmupMs: options.warmupMs,
          durationMs: options.durationMs,
          onWindowStart: () => (window = startWindowCpu(processes, helpers, [...Object.values(processes), ...Object.values(helpers)])),
          onWindowEnd: () => (cpu = window?.stop() ?? cpu),
        });
        const total = totals.get(workers)!;
        total.requests += load.completed;
        total.failed += load.failed;
        total.failures.push(...load.failures);
        total.windowMs += load.windowMs;
        total.latencies.push(...load.latencyMs);
        addInto(total.cpuMs, cpu.byRole);
        addInto(total.cpuMs, cpu.helpers);
        total.otherMs += cpu.other;
        log(
          `  round ${round + 1}/${options.rounds}, ${workers} worker(s): ${(load.completed / (load.windowMs / 1000)).toFixed(0)} req/s` +
            `${load.failed ? `, ${load.failed} failed (${load.failures[0]})` : ''}, other processes ${(cpu.other / load.windowMs).toFixed(2)} cores`,
        );
        await sleep(250);
      }
    }
    await running.stop();
    stack = undefined;

    const measurements: ScaleMeasurement[] = counts.map((workers) => {
      const total = totals.get(workers)!;
      const sorted = Float64Array.from(total.latencies).sort();
      return {
        workers,
        requests: total.requests,
        failed: total.failed,
        failures: total.failures.slice(0, 3),
        seconds: total.windowMs / 1000,
        throughput: total.requests / (total.windowMs / 1000),
        p50Ms: percentile(sorted, 50),
        p99Ms: percentile(sorted, 99),
        coresByProcess: Object.fromEntries(Object.entries(total.cpuMs).map(([role, ms]) => [role, ms / total.windowMs])),
        otherCores: total.otherMs / total.windowMs,
      };
    });
    const bounds = measurements.map((measurement) => scaleBound(measurement, { cores: machine.cores, concurrency, upstreamLatencyMs }));

    log(`queued-job memory: ${options.jobs} async jobs with no worker`);
    const memory: QueuedJobMemory | undefined =
      options.jobs > 0 ? await measureQueuedJobMemory({ upstreamUrl, redis, jobs: options.jobs, requestBody: body }) : undefined;

    const command = ['pnpm bench:scale', ...argv].join(' ');
    const markdown = renderScaleMarkdown({
      command,
      machine: `${machine.cores} cores (${machine.cpuModel}), ${machine.memoryGb} GB, Node ${machine.node}, Redis ${machine.redis} (${redis.description})`,
      load: `load average before the run ${loadAverage}`,
      concurrency,
      upstreamLatencyMs,
      measurements,
      bounds,
      memory,
    });
    mkdirSync(dirname(options.output), { recursive: true });
    writeFileSync(
      options.output,
      `${JSON.stringify({ command, machine, loadAverage, concurrency, upstreamLatencyMs, measurements, bounds, memory }, null, 2)}\n`,
    );
    process.stdout.write(`${markdown}\n\nJSON: ${options.output}\n`);
  } finally {
    await stack?.stop();
    await stopAllChildren();
  }
}

// How busy the shared machine was as the run began (1, 5 and 15 minute averages).
const loadAverage = loadavg()
  .map((value) => value.toFixed(2))
  .join(', ');

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    log(`bench:scale: ${signal}, stopping`);
    void stopAllChildren().finally(() => process.exit(130));
  });
}

main(process.argv.slice(2)).then(
  () => process.exit(0),
  (error: unknown) => {
    log(`bench:scale failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    process.exit(1);
  },
);
