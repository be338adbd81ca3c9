import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { MockBehavior } from '@switchyard/testing';

export type ChildService = {
  name: string;
  pid: number;
  child: ChildProcess;
  /** Everything it wrote to stdout and stderr, for error messages. */
  output(): string;
  /** The first IPC message it sends (our own child scripts announce their URL this way). */
  ready<T>(timeoutMs?: number): Promise<T>;
  stop(): Promise<void>;
};

// Every child ever started, so one call (in a finally or a signal handler) ends them all.
const running = new Set<ChildService>();

/**
 * Starts `node <script> <args>` as its own process. An IPC channel is always opened: our
 * own child scripts use it to say they are ready and exit when it closes, so a killed
 * bench never leaves them behind.
 */
export function spawnNode(name: string, script: string, args: string[], env: Record<string, string>, extraNodeFlags: string[] = []): ChildService {
  return spawnChild(
    name,
    process.execPath,
    ['--disable-warning=ExperimentalWarning', ...extraNodeFlags, ...nodeFlags(name), script, ...args],
    { ...env, ...profileEnv(name) },
    {
      ipc: true,
    },
  );
}

const mockUpstreamScript = fileURLToPath(new URL('./mock-upstream-process.ts', import.meta.url));

/** The mock OpenAI upstream in its own process (its CPU apart from the load generator's), answering each model as `behaviors` says. */
export async function startMockUpstreamProcess(behaviors: Record<string, MockBehavior>): Promise<{ service: ChildService; url: string }> {
  const service = spawnNode('upstream', mockUpstreamScript, [JSON.stringify(behaviors)], {});
  const { url } = await service.ready<{ url: string }>();
  return { service, url };
}

/** Starts any program as a child the bench stops at the end (see stopAllChildren). */
export function spawnChild(name: string, command: string, args: string[], env: Record<string, string>, options: { ipc?: boolean } = {}): ChildService {
  const child = spawn(command, args, {
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
    stdio: options.ipc ? ['ignore', 'pipe', 'pipe', 'ipc'] : ['ignore', 'pipe', 'pipe'],
  });
  if (child.pid === undefined) throw new Error(`could not start ${name}`);
  let output = '';
  const capture = (chunk: Buffer) => {
    // Keep the tail only: a long run must not hold every log line in memory.
    output = (output + String(chunk)).slice(-20_000);
  };
  child.stdout!.on('data', capture);
  child.stderr!.on('data', capture);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));

  const service: ChildService = {
    name,
    pid: child.pid,
    child,
    output: () => output,
    ready<T>(timeoutMs = 30_000) {
      return new Promise<T>((resolve, reject) => {
        const timer = setTimeout(() => fail(new Error(`${name} was not ready within ${timeoutMs} ms:\n${output}`)), timeoutMs);
        const onExit = () => fail(new Error(`${name} exited before it was ready:\n${output}`));
        function fail(error: Error) {
          clearTimeout(timer);
          child.off('message', onMessage);
          reject(error);
        }
        function onMessage(message: unknown) {
          clearTimeout(timer);
          child.off('exit', onExit);
          resolve(message as T);
        }
        child.once('message', onMessage);
        child.once('exit', onExit);
      });
    },
    async stop() {
      running.delete(service);
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    },
  };
  running.add(service);
  return service;
}

/** Stops every child still running, newest first (api before its worker, proxies before the upstream). */
export async function stopAllChildren(): Promise<void> {
  for (const service of [...running].reverse()) await service.stop();
}

// `BENCH_PROFILE=api,worker,all` runs those children under the V8 CPU profiler.
const profiled = (name: string) => (process.env.BENCH_PROFILE ?? '').split(',').some((entry) => entry.trim() === name);
const profileDir = () => process.env.BENCH_PROFILE_DIR ?? 'scripts/bench/results/profiles';

function nodeFlags(name: string): string[] {
  if (!profiled(name)) return [];
  return ['--cpu-prof', `--cpu-prof-dir=${profileDir()}`, `--cpu-prof-name=${name}-${Date.now()}.cpuprofile`];
}

/** `all`'s database and worker threads write their own profiles (services/cli/src/thread-cpu-profile.ts). */
function profileEnv(name: string): Record<string, string> {
  return profiled(name) ? { SWITCHYARD_THREAD_PROFILE_DIR: profileDir() } : {};
}

/** Polls `url` until it answers 2xx; fails at once, with the child's output, if the child exits first. */
export async function waitForHealth(url: string, service: ChildService, timeoutMs = 30_000, intervalMs = 100): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (service.child.exitCode !== null) throw new Error(`${service.name} exited early:\n${service.output()}`);
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
  throw new Error(`${service.name} did not answer ${url} within ${timeoutMs} ms:\n${service.output()}`);
}
