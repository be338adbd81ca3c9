import { readFileSync } from 'node:fs';
import { availableParallelism, totalmem } from 'node:os';
import { Redis } from 'ioredis';

export type Machine = { cores: number; cpuModel: string; memoryGb: number; node: string; redis: string };

export async function describeMachine(redisUrl: string): Promise<Machine> {
  let cpuModel = 'unknown CPU';
  try {
    cpuModel = /^model name\s*:\s*(.+)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1]?.trim() ?? cpuModel;
  } catch {
    // not Linux: the model stays unknown
  }
  return { cores: availableParallelism(), cpuModel, memoryGb: Math.round(totalmem() / 2 ** 30), node: process.version, redis: await redisVersion(redisUrl) };
}

async function redisVersion(url: string): Promise<string> {
  const redis = new Redis(url, { maxRetriesPerRequest: 1 });
  try {
    return /^redis_version:(\S+)/m.exec(await redis.info('server'))?.[1] ?? 'unknown';
  } finally {
    redis.disconnect();
  }
}
