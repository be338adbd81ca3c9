/** One worker count's measurement, summed over its rounds. */
export type ScaleMeasurement = {
  workers: number;
  requests: number;
  failed: number;
  failures: string[];
  seconds: number;
  throughput: number;
  p50Ms: number;
  p99Ms: number;
  /** Cores busy on average during the windows, per process (api, worker-1, redis-server, load-generator, upstream, ...). */
  coresByProcess: Record<string, number>;
  /** Cores every other process on the machine used meanwhile. */
  otherCores: number;
};

export type ScaleBound = {
  /** Requests per second the load could reach if only the upstream's latency bounded it. */
  latencyCeiling: number;
  /** CPU ms per request of every process the bench started (gateway, Redis, load generator, upstream). */
  cpuMsPerRequest: number;
  /** Requests per second the machine's cores would carry at that cost with nothing else running. */
  cpuCeiling: number;
  busiest: { process: string; cores: number };
  machineCoresBusy: number;
  verdict: string;
};

/**
 * What bounds a measurement: the upstream latency (the closed loop's ceiling is
 * concurrency / latency), the machine's cores (all of them busy, ours and everyone
 * else's), or one process's single JavaScript thread (near one core).
 */
export function scaleBound(measurement: ScaleMeasurement, options: { cores: number; concurrency: number; upstreamLatencyMs: number }): ScaleBound {
  const latencyCeiling = options.concurrency / (options.upstreamLatencyMs / 1000);
  const entries = Object.entries(measurement.coresByProcess);
  const [process, cores] = entries.reduce((top, entry) => (entry[1] > top[1] ? entry : top), ['none', 0] as [string, number]);
  const ours = entries.reduce((sum, [, value]) => sum + value, 0);
  const machineCoresBusy = ours + measurement.otherCores;
  const cpuMsPerRequest = measurement.throughput > 0 ? (ours * 1000) / measurement.throughput : Number.NaN;
  const cpuCeiling = (options.cores * 1000) / cpuMsPerRequest;
  let verdict: string;
  if (measurement.throughput >= 0.9 * latencyCeiling)
    verdict = `the upstream latency (ceiling ${latencyCeiling.toFixed(0)} req/s at concurrency ${options.concurrency})`;
  // A busy machine still idles a few percent between wake-ups: 85 % counts as full.
  else if (machineCoresBusy >= 0.85 * options.cores)
    verdict =
      `the machine's CPU: ${machineCoresBusy.toFixed(2)} of ${options.cores} cores busy (ours ${ours.toFixed(2)}, other work ${measurement.otherCores.toFixed(2)}); ` +
      `at ${cpuMsPerRequest.toFixed(2)} CPU ms per request the ${options.cores} cores alone would carry ~${cpuCeiling.toFixed(0)} req/s`;
  else if (cores >= 0.85) verdict = `${process}: ${cores.toFixed(2)} cores, its one JavaScript thread is full`;
  else verdict = `nothing saturated (busiest ${process} at ${cores.toFixed(2)} cores, machine ${machineCoresBusy.toFixed(2)} of ${options.cores})`;
  return { latencyCeiling, cpuMsPerRequest, cpuCeiling, busiest: { process, cores }, machineCoresBusy, verdict };
}

const megabytes = (bytes: number) => `${(bytes / 1e6).toFixed(2)} MB`;

/**
 * CPU ms per request of each gateway tier (the api, all workers together, Redis), and the
 * requests per second one core of it carries: where a cluster runs out first. Redis runs
 * one thread, so its figure is the ceiling of one queue however many workers are added.
 */
export function tierCosts(measurement: ScaleMeasurement): Array<{ tier: string; cpuMsPerRequest: number; requestsPerCore: number }> {
  const tiers: Array<[string, (name: string) => boolean]> = [
    ['api', (name) => name === 'api'],
    ['workers', (name) => name.startsWith('worker')],
    ['redis-server', (name) => name === 'redis-server'],
  ];
  return tiers.flatMap(([tier, belongs]) => {
    const cores = Object.entries(measurement.coresByProcess)
      .filter(([name]) => belongs(name))
      .reduce((sum, [, value]) => sum + value, 0);
    if (cores === 0 || measurement.throughput === 0) return [];
    const cpuMsPerRequest = (cores * 1000) / measurement.throughput;
    return [{ tier, cpuMsPerRequest, requestsPerCore: 1000 / cpuMsPerRequest }];
  });
}

/** The README's lines: one row per worker count, the ratio, what bounds each, and the queued-job memory. */
export function renderScaleMarkdown(input: {
  command: string;
  machine: string;
  load: string;
  concurrency: number;
  upstreamLatencyMs: number;
  measurements: ScaleMeasurement[];
  bounds: ScaleBound[];
  memory?: { jobs: number; requestBytes: number; bytesPerThousandJobs: number; usedMemoryBefore: number; usedMemoryAfter: number };
}): string {
  // Gateway processes first (api, worker-1, worker-2, redis-server), then the load generator and the upstream.
  const order = (name: string) => ['api', 'worker', 'redis', 'load', 'upstream'].findIndex((start) => name.startsWith(start));
  const processes = [...new Set(input.measurements.flatMap((measurement) => Object.keys(measurement.coresByProcess)))].sort(
    (a, b) => order(a) - order(b) || a.localeCompare(b),
  );
  const baseline = input.measurements.find((measurement) => measurement.workers === 1);
  const lines = [
    `\`${input.command}\` on ${input.machine}; ${input.load}. One provider (openai) against a mock upstream answering in ${input.upstreamLatencyMs} ms, concurrency ${input.concurrency}, sync chat requests through one api:`,
    '',
    `| workers | req/s | vs 1 worker | p50 / p99 ms | failed | ${processes.map((name) => `${name} cores`).join(' | ')} | other cores | CPU ms / request | bound by |`,
    `|---|---|---|---|---|${processes.map(() => '---|').join('')}---|---|---|`,
    ...input.measurements.map((measurement, index) => {
      const ratio = baseline ? `${(measurement.throughput / baseline.throughput).toFixed(2)}x` : 'n/a';
      const cores = processes.map((name) => (measurement.coresByProcess[name] === undefined ? '-' : measurement.coresByProcess[name]!.toFixed(2)));
      return `| ${measurement.workers} | ${measurement.throughput.toFixed(0)} | ${ratio} | ${measurement.p50Ms.toFixed(1)} / ${measurement.p99Ms.toFixed(1)} | ${measurement.failed} | ${cores.join(' | ')} | ${measurement.otherCores.toFixed(2)} | ${input.bounds[index]!.cpuMsPerRequest.toFixed(2)} | ${input.bounds[index]!.verdict} |`;
    }),
  ];
  for (const measurement of input.measurements) {
    const costs = tierCosts(measurement).map(
      (cost) => `${cost.tier} ${cost.cpuMsPerRequest.toFixed(3)} ms (${cost.requestsPerCore.toFixed(0)} req/s per core)`,
    );
    if (costs.length > 0) lines.push('', `CPU per request with ${measurement.workers} worker(s): ${costs.join(', ')}.`);
  }
  if (input.memory) {
    const { jobs, requestBytes, bytesPerThousandJobs, usedMemoryBefore, usedMemoryAfter } = input.memory;
    lines.push(
      '',
      `Redis memory per 1,000 queued jobs: ${megabytes(bytesPerThousandJobs)} (${jobs} async chat jobs of a ${requestBytes}-byte request queued with no worker; used_memory ${megabytes(usedMemoryBefore)} -> ${megabytes(usedMemoryAfter)}).`,
    );
  }
  return lines.join('\n');
}
