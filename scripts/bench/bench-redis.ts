import { spawnSync } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { redisReachable } from '@switchyard/queue';
import { freePort, testRedis } from '@switchyard/testing';
import { spawnChild } from './child-process.ts';
import { localRedisPid } from './redis-server-pid.ts';

export type BenchRedis = {
  url: string;
  /** Local redis-server pid whose CPU is counted, when it runs on this machine. */
  pid: number | undefined;
  /** What the README snippet says about it. */
  description: string;
};

/**
 * The Redis the run uses. By default a private `redis-server` (no persistence, like the
 * shared development one) so other work on the machine's Redis neither slows the
 * measured path nor lands in its CPU figure. BENCH_REDIS_URL picks an existing server
 * instead, as does the absence of redis-server on PATH (then REDIS_URL or 127.0.0.1:6379).
 */
export async function startBenchRedis(): Promise<BenchRedis> {
  const explicit = process.env.BENCH_REDIS_URL;
  if (!explicit && spawnSync('redis-server', ['--version'], { stdio: 'ignore' }).status === 0) {
    const port = await freePort();
    const server = spawnChild(
      'redis-server',
      'redis-server',
      ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--daemonize', 'no'],
      {},
    );
    const url = `redis://127.0.0.1:${port}`;
    const deadline = Date.now() + 10_000;
    while (!(await redisReachable(url, 500))) {
      if (server.child.exitCode !== null || Date.now() > deadline) throw new Error(`private redis-server did not start:\n${server.output()}`);
      await sleep(50);
    }
    return { url, pid: server.pid, description: 'a private redis-server (no persistence)' };
  }
  const url = explicit ?? (await testRedis()).url;
  return { url, pid: await localRedisPid(url), description: `the Redis at ${url.replace(/\/\/[^@]*@/, '//')}` };
}
