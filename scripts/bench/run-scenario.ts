import { setTimeout as sleep } from 'node:timers/promises';
import { runBurst } from './burst-load.ts';
import { runLoad, type LoadOptions, type LoadResult } from './load-generator.ts';
import { kilobytesPerRequest, sampleMemory, type MemorySample } from './memory-sampler.ts';
import { probe } from './probe.ts';
import { processMemory } from './proc-status.ts';
import { requestBody, scenarioHeaders, type Scenario } from './scenarios.ts';
import { distribution, percentile, type Distribution } from './statistics.ts';
import type { Target, TargetName } from './targets.ts';
import { addInto, startWindowCpu, type WindowCpu } from './window-cpu.ts';

export type Measurement = {
  target: TargetName;
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
  /** Read and write system calls per request, per process role (from /proc/<pid>/io); absent in results from before they were counted. */
  readCallsPerRequestByProcess?: Record<string, number>;
  writeCallsPerRequestByProcess?: Record<string, number>;
  /** The target's threaded process (`all`) by thread name, CPU ms per request. */
  cpuMsPerRequestByThread?: Record<string, number>;
  /** Cores busy on average during the window, over the target's processes. */
  coresUsed: number;
  /** Cores the load generator and the mock upstream used meanwhile (same machine). */
  helperCoresUsed: Record<string, number>;
  /** Cores every other process on the machine used meanwhile: above ~0.2 the figures were disturbed. */
  otherCoresUsed: number;
  /** VmRSS of each of the target's processes right after its last round of the scenario. */
  rssAfterMbByProcess: Record<string, number>;
  /** Burst scenarios: the share of the requests answered whole, and the resident memory they cost. */
  completedShare?: number;
  memory?: MemorySample;
  rssKbPerRequest?: number;
};

export type ScenarioResult = {
  scenario: Scenario;
  /** Why the whole scenario was not measured. */
  skipped?: string;
  /** Targets left out of this scenario, and why (it does not apply, or the probe failed). */
  skippedTargets: Partial<Record<TargetName, string>>;
  measurements: Measurement[];
};

export type Timing = { rounds: number; warmupMs: number; durationMs: number };

/** Processes that serve every target (role -> pid): the load generator and the mock upstream. */
export type Helpers = Record<string, number>;

type Accumulator = {
  loads: LoadResult[];
  cpuMs: Record<string, number>;
  threadCpuMs?: Record<string, number>;
  helperCpuMs: Record<string, number>;
  otherCpuMs: number;
  readCalls: Record<string, number>;
  writeCalls: Record<string, number>;
  memory?: MemorySample;
};

// The reference and the system measured: without them the scenario says nothing.
const essential: TargetName[] = ['passthrough', 'switchyard-split', 'switchyard-all'];

/**
 * Measures one scenario on every target that serves it. Rounds alternate the order (A B C,
 * C B A, ...) so a neighbour's burst of CPU on this shared machine hurts every side alike.
 */
export async function runScenario(
  scenario: Scenario,
  targets: Target[],
  helpers: Helpers,
  timing: Timing,
  log: (line: string) => void,
): Promise<ScenarioResult> {
  const skippedTargets: ScenarioResult['skippedTargets'] = {};
  const participants: Target[] = [];
  for (const target of targets) {
    if (target.serves && !target.serves(scenario)) {
      skippedTargets[target.name] = 'does not apply';
      continue;
    }
    const problem = target.runLoop ? undefined : await probe(target, scenario);
    if (!problem) {
      participants.push(target);
      continue;
    }
    if (scenario.stream && target.name !== 'passthrough') {
      skippedTargets[target.name] = `cannot stream yet (${problem})`;
    } else if (essential.includes(target.name)) {
      throw new Error(`${target.name} failed the probe of ${scenario.id}: ${problem}`);
    } else {
      skippedTargets[target.name] = `failed the probe: ${problem}`;
    }
    log(`  ${target.name} skipped: ${skippedTargets[target.name]}`);
  }
  if (!participants.some((target) => target.name === 'passthrough') && scenario.stream && skippedTargets.passthrough)
    return { scenario, skipped: `the pass-through cannot stream (${skippedTargets.passthrough})`, skippedTargets, measurements: [] };

  const accumulators = new Map<TargetName, Accumulator>(
    participants.map((target) => [target.name, { loads: [], cpuMs: {}, helperCpuMs: {}, otherCpuMs: 0, readCalls: {}, writeCalls: {} }]),
  );
  const rssAfter = new Map<TargetName, Record<string, number>>();
  const ownPids = [...Object.values(helpers), ...targets.flatMap((target) => Object.values(target.processes))];
  const rounds = scenario.burst ? 1 : timing.rounds;
  for (let round = 0; round < rounds; round++) {
    const order = round % 2 === 0 ? participants : [...participants].reverse();
    for (const target of order) {
      const accumulator = accumulators.get(target.name)!;
      let window: { stop(): WindowCpu } | undefined;
      let cpu: WindowCpu = { byRole: {}, helpers: {}, other: 0, ioCallsByRole: {} };
      const onWindowStart = () => (window = startWindowCpu(target.processes, helpers, ownPids, target.threadedRole));
      const onWindowEnd = () => (cpu = window?.stop() ?? cpu);
      let load: LoadResult;
      if (target.runLoop) {
        load = await target.runLoop(scenario, {
          concurrency: scenario.concurrency,
          warmupMs: timing.warmupMs,
          durationMs: timing.durationMs,
          onWindowStart,
          onWindowEnd,
        });
      } else if (scenario.burst) {
        const memory = sampleMemory(target.processes);
        load = await runBurst({
          origin: target.url,
          request: httpRequest(scenario, target),
          count: scenario.concurrency,
          expectedTokens: scenario.expectedTokens,
          onStart: onWindowStart,
          onEnd: onWindowEnd,
        });
        accumulator.memory = memory.stop();
      } else {
        const options: LoadOptions = {
          origin: target.url,
          request: httpRequest(scenario, target),
          concurrency: scenario.concurrency,
          ...timing,
          onWindowStart,
          onWindowEnd,
        };
        load = await runLoad(options);
      }
      addInto(accumulator.cpuMs, cpu.byRole);
      if (cpu.byThread) addInto((accumulator.threadCpuMs ??= {}), cpu.byThread);
      addInto(accumulator.helperCpuMs, cpu.helpers);
      accumulator.otherCpuMs += cpu.other;
      for (const [role, calls] of Object.entries(cpu.ioCallsByRole)) {
        addInto(accumulator.readCalls, { [role]: calls.reads });
        addInto(accumulator.writeCalls, { [role]: calls.writes });
      }
      accumulator.loads.push(load);
      rssAfter.set(target.name, residentMemory(target.processes));
      const otherCores = cpu.other / load.windowMs;
      const unit = target.runLoop ? 'jobs/s' : 'req/s';
      log(
        `  ${scenario.id} round ${round + 1}/${rounds} ${target.name}: ${(load.completed / (load.windowMs / 1000)).toFixed(0)} ${unit}, p50 ${percentileOf(load.latencyMs, 50).toFixed(2)} ms` +
          `${load.failed ? `, ${load.failed} failed` : ''}${otherCores > 0.2 ? `, disturbed: other processes used ${otherCores.toFixed(2)} cores` : ''}`,
      );
      // Let sockets and the queue settle before the next side starts (a burst's 2,000 sockets take longer).
      await sleep(scenario.burst ? 2000 : 250);
    }
  }
  const measurements = participants.map((target) => summarize(target.name, accumulators.get(target.name)!, scenario, rssAfter.get(target.name) ?? {}));
  return { scenario, skippedTargets, measurements };
}

function httpRequest(scenario: Scenario, target: Target) {
  return {
    path: '/v1/chat/completions',
    headers: { 'content-type': 'application/json', ...scenarioHeaders(scenario), ...target.headers },
    body: requestBody(scenario),
    stream: scenario.stream,
  };
}

function residentMemory(processes: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.entries(processes).map(([role, pid]) => [role, processMemory(pid).rssMb]));
}

function summarize(name: TargetName, accumulator: Accumulator, scenario: Scenario, rssAfterMbByProcess: Record<string, number>): Measurement {
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
    readCallsPerRequestByProcess: Object.fromEntries(Object.entries(accumulator.readCalls).map(([role, value]) => [role, perRequest(value)])),
    writeCallsPerRequestByProcess: Object.fromEntries(Object.entries(accumulator.writeCalls).map(([role, value]) => [role, perRequest(value)])),
    coresUsed: cpuTotal / (seconds * 1000),
    ...(accumulator.threadCpuMs
      ? { cpuMsPerRequestByThread: Object.fromEntries(Object.entries(accumulator.threadCpuMs).map(([name, value]) => [name, perRequest(value)])) }
      : {}),
    helperCoresUsed: Object.fromEntries(Object.entries(accumulator.helperCpuMs).map(([role, value]) => [role, value / (seconds * 1000)])),
    otherCoresUsed: accumulator.otherCpuMs / (seconds * 1000),
    rssAfterMbByProcess,
  };
  if (scenario.stream) {
    measurement.firstTokenMs = distribution(loads.flatMap((load) => load.firstTokenMs));
    measurement.tokensPerSecond = loads.reduce((sum, load) => sum + load.tokens, 0) / seconds;
  }
  if (scenario.burst) {
    measurement.completedShare = requests / scenario.concurrency;
    if (accumulator.memory) {
      measurement.memory = accumulator.memory;
      measurement.rssKbPerRequest = kilobytesPerRequest(accumulator.memory, scenario.concurrency);
    }
  }
  return measurement;
}

function percentileOf(samples: number[], p: number): number {
  return percentile(Float64Array.from(samples).sort(), p);
}
