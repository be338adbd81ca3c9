import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { resolve } from 'node:path';
import { redisReachable } from '@switchyard/queue';

export type ResolvedRedis = { url: string; source: string; stop(): Promise<void> };

async function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const server = createServer();
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? done(address.port) : fail(new Error('no port'))));
    });
  });
}

/**
 * Redis for a single-node run: REDIS_URL if set, else a local server on 6379, else a
 * private `redis-server` from PATH with its data under `dataDir`.
 */
export async function resolveRedis(options: { explicitUrl: string | undefined; dataDir: string }): Promise<ResolvedRedis> {
  const none = async () => {};
  if (options.explicitUrl) {
    if (!(await redisReachable(options.explicitUrl, 3000))) throw new Error(`REDIS_URL ${options.explicitUrl} is not reachable`);
    return { url: options.explicitUrl, source: 'REDIS_URL', stop: none };
  }
  const localUrl = 'redis://127.0.0.1:6379';
  if (await redisReachable(localUrl, 500)) return { url: localUrl, source: 'local server on 127.0.0.1:6379', stop: none };

  if (spawnSync('redis-server', ['--version'], { stdio: 'ignore' }).status !== 0) {
    throw new Error(
      'no Redis found: set REDIS_URL, start one on 127.0.0.1:6379, or install redis-server (Debian/Ubuntu: apt-get install redis-server; macOS: brew install redis)',
    );
  }
  const port = await freePort();
  const directory = resolve(options.dataDir, 'redis');
  mkdirSync(directory, { recursive: true });
  const child: ChildProcess = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--dir', directory, '--appendonly', 'yes', '--save', '', '--maxmemory-policy', 'noeviction'],
    { stdio: 'ignore' },
  );
  const url = `redis://127.0.0.1:${port}`;
  for (let tries = 0; tries < 50 && !(await redisReachable(url, 200)); tries++) await new Promise((done) => setTimeout(done, 100));
  if (!(await redisReachable(url, 500))) {
    child.kill();
    throw new Error('could not start redis-server');
  }
  return {
    url,
    source: `private redis-server on port ${port} (data in ${directory})`,
    stop: async () => {
      if (child.exitCode !== null) return;
      const exited = new Promise((done) => child.once('exit', done));
      child.kill('SIGTERM');
      await exited;
    },
  };
}
