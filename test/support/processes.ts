import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createApiKey, createDb, createOrg, migrateToLatest } from '@switchyard/db';
import { createTestDatabase, deletePrefix, eventually, freePort, GiveUp, testRedis, uniquePrefix } from '@switchyard/testing';

const cliEntry = fileURLToPath(new URL('../../services/cli/src/main.ts', import.meta.url));

export type ServiceProcess = { child: ChildProcess; output: () => string; stop(signal?: NodeJS.Signals): Promise<number | null> };

/** Runs `switchyard <args>` as its own OS process, the way an operator would. */
export function spawnSwitchyard(args: string[], env: Record<string, string>): ServiceProcess {
  const child = spawn(process.execPath, ['--disable-warning=ExperimentalWarning', cliEntry, ...args], {
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (chunk) => (output += String(chunk)));
  child.stderr!.on('data', (chunk) => (output += String(chunk)));
  // 'close', not 'exit': the process may be gone before its last lines have been read from the pipes.
  const closed = new Promise<number | null>((resolve) => child.once('close', (code) => resolve(code)));
  return {
    child,
    output: () => output,
    stop(signal: NodeJS.Signals = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return closed;
    },
  };
}

/** Runs one `switchyard <args>` command (an admin command) to completion and collects its output. */
export function runSwitchyardCommand(args: string[], env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--disable-warning=ExperimentalWarning', cliEntry, ...args], {
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', LOG_LEVEL: 'warn', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (chunk) => (stdout += String(chunk)));
    child.stderr!.on('data', (chunk) => (stderr += String(chunk)));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** Polls until `url` answers 200 or the process dies. */
export async function waitForHttp(url: string, service: ServiceProcess, timeoutMs = 30_000): Promise<void> {
  const answered = async () => {
    if (service.child.exitCode !== null) throw new GiveUp(`the process exited with ${service.child.exitCode}`);
    // A refused connection throws: not listening yet, so eventually tries again.
    return (await fetch(url)).ok;
  };
  try {
    await eventually(`${url} to answer 200`, answered, { timeoutMs, intervalMs: 100 });
  } catch (error) {
    throw new Error(`${(error as Error).message}\n${service.output()}`, { cause: error });
  }
}

export type ProcessStack = {
  /** Environment for `switchyard api|worker|ledger` processes of this stack. */
  env: Record<string, string>;
  url: string;
  apiKey: string;
  redisUrl: string;
  /** Stops every process started with `start`, then drops the database and the keys. */
  stop(): Promise<void>;
  start(args: string[]): ServiceProcess;
};

/**
 * The shared setup of tests that run services as separate OS processes: a fresh database
 * with one org and key, a unique Redis prefix, a free api port, and the environment.
 */
export async function prepareProcessStack(options: { env: Record<string, string>; configYaml?: string }): Promise<ProcessStack> {
  const database = await createTestDatabase();
  const redisUrl = (await testRedis()).url;
  const prefix = uniquePrefix('proc');
  const handle = await createDb({ url: database.url });
  await migrateToLatest(handle.db);
  const org = await createOrg(handle.db, { name: 'processes' });
  const apiKey = (await createApiKey(handle.db, { orgId: org.id, name: 'processes' })).key;
  await handle.close();

  const env: Record<string, string> = { REDIS_URL: redisUrl, DATABASE_URL: database.url, SWITCHYARD_REDIS_PREFIX: prefix, ...options.env };
  if (options.configYaml) {
    const file = join(mkdtempSync(join(tmpdir(), 'switchyard-config-')), 'switchyard.yaml');
    writeFileSync(file, options.configYaml);
    env.SWITCHYARD_CONFIG = file;
  }
  const port = await freePort();
  env.PORT = String(port);
  const started: ServiceProcess[] = [];
  return {
    env,
    url: `http://127.0.0.1:${port}`,
    apiKey,
    redisUrl,
    start(args) {
      const service = spawnSwitchyard(args, env);
      started.push(service);
      return service;
    },
    async stop() {
      for (const service of started.reverse()) await service.stop('SIGKILL');
      await database.drop();
      await deletePrefix(redisUrl, prefix);
    },
  };
}

export type EmbeddedAllSetup = {
  /** The temporary directory; the embedded database lives in its `pglite` folder (and `all`'s lock beside it). */
  directory: string;
  url: string;
  /** Environment for `switchyard all` and admin commands on that database. */
  env: Record<string, string>;
  /** Drops the Redis keys and the directory (stop the processes first). */
  cleanup(): Promise<void>;
};

/** The shared setup of tests that run `switchyard all` on a fresh embedded database: a temporary data directory, a unique Redis prefix, a free port. */
export async function prepareEmbeddedAll(label: string, extraEnv: Record<string, string> = {}): Promise<EmbeddedAllSetup> {
  const directory = mkdtempSync(join(tmpdir(), `switchyard-${label}-`));
  const port = await freePort();
  const redisUrl = (await testRedis()).url;
  const prefix = uniquePrefix(label);
  const env = { REDIS_URL: redisUrl, SWITCHYARD_REDIS_PREFIX: prefix, SWITCHYARD_DATA_DIR: join(directory, 'pglite'), PORT: String(port), ...extraEnv };
  return {
    directory,
    url: `http://127.0.0.1:${port}`,
    env,
    async cleanup() {
      await deletePrefix(redisUrl, prefix);
      rmSync(directory, { recursive: true, force: true });
    },
  };
}
