// pnpm bench:hops [--target all|split] [--requests N] [--warmup N]: where a lone sync
// request's added time goes, hop by hop. Starts a private redis-server, the mock upstream and
// the target (as pnpm bench does), warms it up, then sends requests one at a time, a few ms
// apart (each meets an idle gateway, as at concurrency 1), and reads Redis' MONITOR stream for
// when the api enqueued the job, a worker fetched it and recorded its answer (just before the reply).
// MONITOR costs Redis some CPU, so these hops are a little longer than in `pnpm bench`.
import { parseArgs } from 'node:util';
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import { Pool } from 'undici';
import { startBenchRedis } from './bench-redis.ts';
import { startMockUpstreamProcess, stopAllChildren } from './child-process.ts';
import { hopNames, monitorTimeMs, requestHops, type MonitorEvent, type TracedRequest } from './request-hops.ts';
import { requestBody, scenarios, upstreamBehaviors } from './scenarios.ts';
import { distribution } from './statistics.ts';
import { startSwitchyardAll } from './switchyard-all-target.ts';
import { startSwitchyardSplit } from './switchyard-stack.ts';
import type { Target } from './targets.ts';

const log = (line: string) => process.stderr.write(`${line}\n`);

/** Epoch ms with sub-millisecond resolution: performance.now() anchored where Date.now() ticks over. */
function epochClock(): () => number {
  const start = Date.now();
  while (Date.now() === start) {
    // spin to the next millisecond boundary
  }
  const anchorEpoch = Date.now();
  const anchorNow = performance.now();
  return () => anchorEpoch + (performance.now() - anchorNow);
}

async function main(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      target: { type: 'string', default: 'all' },
      requests: { type: 'string', default: '300' },
      warmup: { type: 'string', default: '1000' },
      help: { type: 'boolean', default: false },
    },
  });
  const usage = 'usage: pnpm bench:hops [--target all|split] [--requests N>0] [--warmup N>=0]';
  if (values.help) {
    process.stdout.write(`${usage}\n`);
    return;
  }
  const requests = Number(values.requests);
  const warmup = Number(values.warmup);
  if (!['all', 'split'].includes(values.target) || !Number.isInteger(requests) || requests < 1 || !Number.isInteger(warmup) || warmup < 0)
    throw new Error(usage);
  const scenario = scenarios.find((entry) => entry.id === 'c1-instant')!;

  let target: Target | undefined;
  try {
    const redis = await startBenchRedis();
    const { url: upstreamUrl } = await startMockUpstreamProcess(upstreamBehaviors);
    log(`starting switchyard ${values.target}`);
    target = values.target === 'all' ? await startSwitchyardAll({ upstreamUrl, redis }) : await startSwitchyardSplit({ upstreamUrl, redis });
    const pool = new Pool(target.url, { connections: 1, keepAliveTimeout: 60_000 });
    const headers = { 'content-type': 'application/json', ...target.headers };
    const body = requestBody(scenario);
    const send = async () => {
      const response = await pool.request({ path: '/v1/chat/completions', method: 'POST', headers, body });
      const text = await response.body.text();
      if (response.statusCode !== 200) throw new Error(`HTTP ${response.statusCode}: ${text.slice(0, 300)}`);
    };
    log(`warming up: ${warmup} requests`);
    for (let index = 0; index < warmup; index++) await send();

    const events: MonitorEvent[] = [];
    const client = new Redis(redis.url);
    const monitor = await client.monitor();
    monitor.on('monitor', (time: string, args: string[]) => {
      const [command = '', ...rest] = args;
      events.push({ atMs: monitorTimeMs(time), command: command.toLowerCase(), args: rest });
    });
    await sleep(200);
    const now = epochClock();
    const traced: TracedRequest[] = [];
    log(`tracing: ${requests} requests, one at a time`);
    for (let index = 0; index < requests; index++) {
      const sentAtMs = now();
      await send();
      traced.push({ sentAtMs, receivedAtMs: now() });
      await sleep(5);
    }
    await sleep(200);
    monitor.disconnect();
    client.disconnect();
    await pool.close();

    events.sort((left, right) => left.atMs - right.atMs);
    const hops = traced.flatMap((request) => requestHops(request, events) ?? []);
    const totals = traced.map((request) => request.receivedAtMs - request.sentAtMs);
    const row = (name: string, samples: number[]) => {
      const figures = distribution(samples);
      return `| ${name} | ${figures.p50.toFixed(3)} | ${figures.p90.toFixed(3)} | ${figures.mean.toFixed(3)} |`;
    };
    const lines = [
      `Hops of a lone sync request, switchyard ${values.target} (${hops.length} of ${traced.length} requests traced; ms):`,
      '',
      '| hop | p50 | p90 | mean |',
      '|---|---|---|---|',
      ...hopNames.map((name) =>
        row(
          name,
          hops.map((entry) => entry[name]),
        ),
      ),
      row('whole request, as the client saw it', totals),
    ];
    process.stdout.write(`${lines.join('\n')}\n`);
  } finally {
    await target?.stop();
    await stopAllChildren();
  }
}

main(process.argv.slice(2)).catch((error: unknown) => {
  log(error instanceof Error ? error.message : String(error));
  process.exitCode = 1;
});
