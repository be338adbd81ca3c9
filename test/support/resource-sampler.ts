import { readFileSync } from 'node:fs';
import { Redis } from 'ioredis';
import type { Kysely } from '@switchyard/db';

/** What one process used over the sampled window. */
export type ProcessUsage = { peakRssMb: number; cpuSeconds: number };

export type ResourceReport = {
  wallSeconds: number;
  processes: Record<string, ProcessUsage>;
  /** Redis is shared with whatever else runs on it: used_memory at the start and its peak, the commands it ran and its CPU. */
  redis: { startMb: number; peakMb: number; commands: number; cpuSeconds: number; peakClients: number; prefixKeys: number; prefixMb: number };
  /** Connections to the test's own database (pg_stat_activity), at their peak. */
  postgresPeakConnections: number;
};

const clockTicksPerSecond = 100;

function rssMb(pid: number): number {
  const line = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return line ? Number(line[1]) / 1024 : 0;
}

/** utime + stime of a process, in seconds (fields 14 and 15 of /proc/PID/stat, after the parenthesised name). */
function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) / clockTicksPerSecond;
}

/** Keys under the prefix and the bytes Redis says they take (MEMORY USAGE). */
async function prefixUsage(redis: Redis, prefix: string): Promise<{ keys: number; bytes: number }> {
  let keys = 0;
  let bytes = 0;
  let cursor = '0';
  do {
    const [next, batch] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
    cursor = next;
    const pipeline = redis.pipeline();
    for (const key of batch) pipeline.memory('USAGE', key);
    for (const [, usage] of (await pipeline.exec()) ?? []) bytes += Number(usage ?? 0);
    keys += batch.length;
  } while (cursor !== '0');
  return { keys, bytes };
}

function infoField(info: string, name: string): number {
  return Number(new RegExp(`^${name}:([\\d.]+)`, 'm').exec(info)?.[1] ?? 0);
}

/**
 * Samples the stack while a test drives it: each process's RSS (peak) and CPU time, Redis
 * memory, commands and CPU, and the Postgres connections of the test's database. Measured
 * and printed, never asserted: the numbers go in the scaling guide.
 */
export async function startResourceSampler(options: {
  pids: Record<string, number>;
  redisUrl: string;
  /** The stack's key prefix: what its keys hold at the end (finished jobs stay for jobs.retentionSeconds). */
  prefix: string;
  db: Kysely<any>;
  databaseName: string;
  intervalMs?: number;
}): Promise<{ stop(): Promise<ResourceReport> }> {
  const redis = new Redis(options.redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1 });
  await redis.connect();
  const startedAt = Date.now();
  const live = (pid: number) => {
    try {
      return { rss: rssMb(pid), cpu: cpuSeconds(pid) };
    } catch {
      return undefined; // the process has exited
    }
  };
  const firstCpu = Object.fromEntries(Object.entries(options.pids).map(([name, pid]) => [name, live(pid)?.cpu ?? 0]));
  const lastCpu = { ...firstCpu };
  const peakRss: Record<string, number> = {};
  const redisStart = await redis.info();
  let redisPeak = infoField(redisStart, 'used_memory');
  let peakClients = infoField(redisStart, 'connected_clients');
  let postgresPeak = 0;

  const sample = async () => {
    for (const [name, pid] of Object.entries(options.pids)) {
      const usage = live(pid);
      if (!usage) continue;
      peakRss[name] = Math.max(peakRss[name] ?? 0, usage.rss);
      lastCpu[name] = usage.cpu;
    }
    const info = await redis.info();
    redisPeak = Math.max(redisPeak, infoField(info, 'used_memory'));
    peakClients = Math.max(peakClients, infoField(info, 'connected_clients'));
    const row = await options.db
      .selectFrom('pg_stat_activity')
      .select((expression) => expression.fn.countAll<string>().as('connections'))
      .where('datname', '=', options.databaseName)
      .executeTakeFirst();
    postgresPeak = Math.max(postgresPeak, Number(row?.connections ?? 0));
  };
  let sampling = Promise.resolve();
  const timer = setInterval(() => {
    sampling = sampling.then(sample).catch(() => {});
  }, options.intervalMs ?? 250);

  return {
    async stop() {
      clearInterval(timer);
      await sampling;
      await sample().catch(() => {});
      const redisEnd = await redis.info();
      const held = await prefixUsage(redis, options.prefix);
      await redis.quit();
      const mb = (bytes: number) => Math.round((bytes / 1024 / 1024) * 10) / 10;
      const round = (value: number) => Math.round(value * 10) / 10;
      return {
        wallSeconds: round((Date.now() - startedAt) / 1000),
        processes: Object.fromEntries(
          Object.keys(options.pids).map((name) => [name, { peakRssMb: round(peakRss[name] ?? 0), cpuSeconds: round(lastCpu[name]! - firstCpu[name]!) }]),
        ),
        redis: {
          startMb: mb(infoField(redisStart, 'used_memory')),
          peakMb: mb(redisPeak),
          commands: infoField(redisEnd, 'total_commands_processed') - infoField(redisStart, 'total_commands_processed'),
          cpuSeconds: round(
            infoField(redisEnd, 'used_cpu_sys') +
              infoField(redisEnd, 'used_cpu_user') -
              infoField(redisStart, 'used_cpu_sys') -
              infoField(redisStart, 'used_cpu_user'),
          ),
          peakClients,
          prefixKeys: held.keys,
          prefixMb: mb(held.bytes),
        },
        postgresPeakConnections: postgresPeak,
      };
    },
  };
}
