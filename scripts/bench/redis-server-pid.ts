import { existsSync, readFileSync } from 'node:fs';
import { Redis } from 'ioredis';

/**
 * The pid of the redis-server behind `url` when it runs on this machine (INFO server's
 * process_id, checked against /proc), undefined when it is elsewhere (a container, a
 * remote host): its CPU then cannot be counted.
 */
export async function localRedisPid(url: string): Promise<number | undefined> {
  const redis = new Redis(url, { maxRetriesPerRequest: 1, lazyConnect: true });
  try {
    await redis.connect();
    const info = await redis.info('server');
    const pid = Number(/^process_id:(\d+)/m.exec(info)?.[1]);
    if (!pid || !existsSync(`/proc/${pid}/comm`)) return undefined;
    return readFileSync(`/proc/${pid}/comm`, 'utf8').includes('redis') ? pid : undefined;
  } finally {
    redis.disconnect();
  }
}
