import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '@switchyard/testing';

/** A throwaway Redis Cluster of three masters on loopback, for tests. */
export type LocalRedisCluster = {
  /** `127.0.0.1:<port>` of each master, as REDIS_CLUSTER_NODES takes them. */
  nodes: string[];
  /** Runs redis-cli against the first node and returns its output. */
  cli(...args: string[]): string;
  stop(): Promise<void>;
};

/** Why no cluster can be started here, or undefined when one can. */
export function clusterUnsupportedReason(): string | undefined {
  const server = spawnSync('redis-server', ['--version'], { encoding: 'utf8' });
  if (server.status !== 0) return 'redis-server is not on PATH';
  const cli = spawnSync('redis-cli', ['--version'], { encoding: 'utf8' });
  if (cli.status !== 0) return 'redis-cli is not on PATH';
  const major = Number(/v=(\d+)/.exec(server.stdout)?.[1] ?? 0);
  if (major < 7) return `redis-server ${server.stdout.trim()} is older than 7 (cluster tests need Redis 7)`;
  // A build without cluster support refuses the option; one with it says it runs in cluster mode.
  const directory = mkdtempSync(join(tmpdir(), 'switchyard-cluster-probe-'));
  try {
    const probe = spawnSync(
      'redis-server',
      [
        '--cluster-enabled',
        'yes',
        '--cluster-config-file',
        join(directory, 'nodes.conf'),
        '--dir',
        directory,
        '--port',
        '0',
        '--unixsocket',
        join(directory, 'probe.sock'),
        '--save',
        '',
        '--appendonly',
        'no',
      ],
      { encoding: 'utf8', timeout: 1500 },
    );
    if (!/Running mode=cluster/.test(`${probe.stdout}${probe.stderr}`))
      return `redis-server lacks cluster support: ${`${probe.stdout}${probe.stderr}`.trim().split('\n').at(-1)}`;
  } finally {
    rmSync(directory, { recursive: true, force: true });
  }
  return undefined;
}

/** Whether `port` on loopback can be listened on now. */
async function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Starts three `redis-server --cluster-enabled yes` processes in a temporary directory,
 * joins them with `redis-cli --cluster create` (no replicas) and waits for
 * `cluster_state:ok` on every node. `stop` ends the processes and removes the directory.
 */
export async function startLocalRedisCluster(): Promise<LocalRedisCluster> {
  const directory = mkdtempSync(join(tmpdir(), 'switchyard-cluster-'));
  const ports: number[] = [];
  // Cluster nodes also listen on port + 10000 for the cluster bus: both must be free.
  while (ports.length < 3) {
    const port = await freePort();
    if (port < 55_000 && !ports.includes(port) && (await portIsFree(port + 10_000))) ports.push(port);
  }
  const children: ChildProcess[] = ports.map((port) =>
    spawn(
      'redis-server',
      [
        '--port',
        String(port),
        '--bind',
        '127.0.0.1',
        '--cluster-enabled',
        'yes',
        '--cluster-config-file',
        join(directory, `nodes-${port}.conf`),
        '--dir',
        directory,
        '--save',
        '',
        '--appendonly',
        'no',
        '--daemonize',
        'no',
      ],
      { stdio: 'ignore' },
    ),
  );
  const stop = async () => {
    await Promise.all(
      children.map(async (child) => {
        if (child.exitCode !== null || child.signalCode !== null) return;
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGTERM');
        await exited;
      }),
    );
    rmSync(directory, { recursive: true, force: true });
  };
  const cliAt = (port: number, ...args: string[]) =>
    spawnSync('redis-cli', ['-h', '127.0.0.1', '-p', String(port), ...args], { encoding: 'utf8', timeout: 30_000 });
  try {
    for (const port of ports) {
      for (let tries = 0; cliAt(port, 'PING').stdout.trim() !== 'PONG'; tries++) {
        if (tries > 100) throw new Error(`redis-server on port ${port} did not start`);
        await sleep(50);
      }
    }
    const created = spawnSync('redis-cli', ['--cluster', 'create', ...ports.map((port) => `127.0.0.1:${port}`), '--cluster-replicas', '0', '--cluster-yes'], {
      encoding: 'utf8',
      timeout: 60_000,
    });
    if (created.status !== 0) throw new Error(`redis-cli --cluster create failed: ${created.stdout}${created.stderr}`);
    for (const port of ports) {
      for (let tries = 0; !cliAt(port, 'CLUSTER', 'INFO').stdout.includes('cluster_state:ok'); tries++) {
        if (tries > 200) throw new Error(`the cluster did not reach cluster_state:ok on port ${port}`);
        await sleep(50);
      }
    }
  } catch (error) {
    await stop();
    throw error;
  }
  return {
    nodes: ports.map((port) => `127.0.0.1:${port}`),
    cli: (...args) => cliAt(ports[0]!, ...args).stdout.trim(),
    stop,
  };
}
