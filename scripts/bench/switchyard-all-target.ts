import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { deletePrefix, freePort, uniquePrefix } from '@switchyard/testing';
import type { BenchRedis } from './bench-redis.ts';
import { spawnNode, waitForHealth, type ChildService } from './child-process.ts';
import { workerConcurrency } from './switchyard-stack.ts';
import type { Target } from './targets.ts';

const cliEntry = fileURLToPath(new URL('../../services/cli/src/main.ts', import.meta.url));

/** The key `switchyard all` prints on stderr at its first start (never through the logger). */
export function parseFirstKey(output: string): string | undefined {
  return /First start: created organization "[^"]*" \([^)]*\) and its API key \(shown once\):\s+(\S+)/.exec(output)?.[1];
}

/**
 * Switchyard as a new user runs it: `switchyard all` (the node flags of scripts/switchyard:
 * --liftoff-only on the embedded database, --max-semi-space-size=8) with embedded PGlite in a fresh data directory,
 * the bench's Redis through REDIS_URL under a key prefix of its own, the mock upstream as
 * provider `openai`, and the API key it prints at its first start. BENCH_ALL_ARGS adds flags
 * (e.g. `--worker-threads 2`). The one setting changed from the defaults: the provider's
 * concurrency, above the 2,000-stream scenario's.
 */
export async function startSwitchyardAll(options: { upstreamUrl: string; redis: BenchRedis }): Promise<Target> {
  const prefix = uniquePrefix('bench-all');
  const directory = await mkdtemp(join(tmpdir(), 'switchyard-bench-all-'));
  let child: ChildService | undefined;
  const stop = async () => {
    await child?.stop();
    await deletePrefix(options.redis.url, prefix);
    await rm(directory, { recursive: true, force: true });
  };
  try {
    const configFile = join(directory, 'switchyard.yaml');
    await writeFile(configFile, `providers:\n  openai:\n    concurrency: ${workerConcurrency}\n`);
    const port = await freePort();
    const env = {
      REDIS_URL: options.redis.url,
      SWITCHYARD_REDIS_PREFIX: prefix,
      SWITCHYARD_DATA_DIR: join(directory, 'pglite'),
      SWITCHYARD_CONFIG: configFile,
      OPENAI_API_KEY: 'sk-upstream',
      OPENAI_BASE_URL: options.upstreamUrl,
      PORT: String(port),
      LOG_LEVEL: 'warn',
    };
    const extraArgs = (process.env.BENCH_ALL_ARGS ?? '').split(/\s+/).filter(Boolean);
    // The node flags scripts/switchyard gives `all` on the embedded database; BENCH_ALL_NODE_FLAGS replaces them (experiments).
    const nodeFlags = process.env.BENCH_ALL_NODE_FLAGS?.split(/\s+/).filter(Boolean) ?? ['--liftoff-only', '--max-semi-space-size=8'];
    child = spawnNode('all', cliEntry, ['all', ...extraArgs], env, nodeFlags);
    const url = `http://127.0.0.1:${port}`;
    await waitForHealth(`${url}/health`, child, 120_000);
    const apiKey = await firstKey(child);
    const processes: Record<string, number> = { all: child.pid };
    if (options.redis.pid !== undefined) processes['redis-server'] = options.redis.pid;
    return { name: 'switchyard-all', url, headers: { authorization: `Bearer ${apiKey}` }, processes, threadedRole: 'all', stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

async function firstKey(child: ChildService, timeoutMs = 5000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const key = parseFirstKey(child.output());
    if (key) return key;
    if (Date.now() > deadline) throw new Error(`switchyard all printed no first API key:\n${child.output()}`);
    await sleep(50);
  }
}
