import { setTimeout as sleep } from 'node:timers/promises';
import { runLoad, type LoadResult } from './load-generator.ts';
import { probe } from './probe.ts';
import { requestBody, scenarioHeaders, type Scenario } from './scenarios.ts';
import { distribution, percentile, type Distribution } from './statistics.ts';
import type { Target } from './targets.ts';
import { addInto, startWindowCpu, type WindowCpu } from './window-cpu.ts';

export type Measurement = {
  target: Target['name'];
  requests: number;
  failed: number;
  failures: string[];
  seconds: number;
  /** Requests per second. */
  throughput: number;
  latencyMs: Distribution;
  firstTokenMs?: Distribution;
  tokensPerSecond?: number;
  /** CPU ms per request, summed over the target's processes and per process role. */
  cpuMsPerRequest: number;
  cpuMsPerRequestByProcess: Record<string, number>;
  /** Cores busy on average during the window, over the target's processes. */
  coresUsed: number;
  /** Cores the load generator and the mock upstream used meanwhile (same machine). */
  helperCoresUsed: Record<string, number>;
  /** Cores every other process on the machine used meanwhile: above ~0.2 the figures were disturbed. */
  otherCoresUsed: number;
};

export type ScenarioResult = { scenario: Scenario; skipped?: string; measurements: Measurement[] };

export type Timing = { rounds: number; warmupMs: number; durationMs: number };

/** Processes that serve every target (role -> pid): the load generator and the mock upstream. */
export type Helpers = Record<string, number>;

type Accumulator = { loads: LoadResult[]; cpuMs: Record<string, number>; helperCpuMs: Record<string, number>; otherCpuMs: number };

/**
 * Measures one scenario on both targets. Rounds alternate the order (A B, B A, ...) so
 * a neighbour's burst of CPU on this shared machine hurts both sides alike.
 */
export async function runScenario(
  scenario: Scenario,
  targets: Target[],
  helpers: Helpers,
  timing: Timing,
  log: (line: string) => void,
): Promise<ScenarioResult> {
  for (const target of targets) {
    const problem = await probe(target, scenario);
    if (problem) {
      if (scenario.stream) return { scenario, skipped: `${target.name} cannot stream yet (${problem})`, measurements: [] };
      throw new Error(`${target.name} failed the probe of ${scenario.id}: ${problem}`);
    }
  }
  const accumulators = new Map<Target['name'], Accumulator>(targets.map((target) => [target.name, { loads: [], cpuMs: {}, helperCpuMs: {}, otherCpuMs: 0 }]));
  const ownPids = [...Object.values(helpers), ...targets.flatMap((target) => Object.values(target.processes))];
  for (let round = 0; round < timing.rounds; round++) {
    const order = round % 2 === 0 ? targets : [...targets].reverse();
    for (const target of order) {
      const accumulator = accumulators.get(target.name)!;
      let window: { stop(): WindowCpu } | undefined;
      let cpu: WindowCpu = { byRole: {}, helpers: {}, other: 0 };
      const load = await runLoad({
        origin: target.url,
        request: {
          path: '/v1/chat/completions',
          headers: { 'content-type': 'application/json', ...scenarioHeaders(scenario), ...target.headers },
          body: requestBody(scenario),
          stream: scenario.stream,
        },
        concurrency: scenario.concurrency,
        warmupMs: timing.warmupMs,
        durationMs: timing.durationMs,
        onWindowStart: () => (window = startWindowCpu(target.processes, helpers, ownPids)),
        onWindowEnd: () => (cpu = window?.stop() ?? cpu),
      });
      addInto(accumulator.cpuMs, cpu.byRole);
      addInto(accumulator.helperCpuMs, cpu.helpers);
      accumulator.otherCpuMs += cpu.other;
      accumulator.loads.push(load);
      const otherCores = cpu.other / load.windowMs;
      log(
        `  ${scenario.id} round ${round + 1}/${timing.rounds} ${target.name}: ${(load.completed / (load.windowMs / 1000)).toFixed(0)} req/s, p50 ${percentileOf(load.latencyMs, 50).toFixed(2)} ms` +
          `${load.failed ? `, ${load.failed} failed` : ''}${otherCores > 0.2 ? `, disturbed: other processes used ${otherCores.toFixed(2)} cores` : ''}`,
      );
      // Let sockets and the queue settle before the other side starts.
      await sleep(250);
    }
  }
  return { scenario, measurements: targets.map((target) => summarize(target.name, accumulators.get(target.name)!, scenario)) };
}

function summarize(name: Target['name'], accumulator: Accumulator, scenario: Scenario): Measurement {
  const loads = accumulator.loads;
  const requests = loads.reduce((sum, load) => sum + load.completed, 0);
  const seconds = loads.reduce((sum, load) => sum + load.windowMs, 0) / 1000;
  const cpuTotal = Object.values(accumulator.cpuMs).reduce((sum, value) => sum + value, 0);
  const perRequest = (value: number) => (requests > 0 ? value / requests : Number.NaN);
  const measurement: Measurement = {
    target: name,
    requests,
    failed: loads.reduce((sum, load) => sum + load.failed, 0),
    failures: loads.flatMap((load) => load.failures).slice(0, 3),
    seconds,
    throughput: requests / seconds,
    latencyMs: distribution(loads.flatMap((load) => load.latencyMs)),
    cpuMsPerRequest: perRequest(cpuTotal),
    cpuMsPerRequestByProcess: Object.fromEntries(Object.entries(accumulator.cpuMs).map(([role, value]) => [role, perRequest(value)])),
    coresUsed: cpuTotal / (seconds * 1000),
    helperCoresUsed: Object.fromEntries(Object.entries(accumulator.helperCpuMs).map(([role, value]) => [role, value / (seconds * 1000)])),
    otherCoresUsed: accumulator.otherCpuMs / (seconds * 1000),
  };
  if (scenario.stream) {
    measurement.firstTokenMs = distribution(loads.flatMap((load) => load.firstTokenMs));
    measurement.tokensPerSecond = loads.reduce((sum, load) => sum + load.tokens, 0) / seconds;
  }
  return measurement;
}

function percentileOf(samples: number[], p: number): number {
  return percentile(Float64Array.from(samples).sort(), p);
}
