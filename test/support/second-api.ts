import { afterAll, beforeAll } from 'vitest';
import { startApi, type RunningApi } from '@switchyard/api';
import { createSilentLogger } from '@switchyard/logger';
import type { TestGateway } from './gateway.ts';

/**
 * A second api instance beside the gateway's, on the same Redis, database and config: the
 * two base URLs, filled in before the file's tests run (call after `useGateway`, so the
 * second api stops before the gateway does).
 */
export function useSecondApi(gateway: Pick<TestGateway, 'config' | 'database' | 'url'>): [string, string] {
  const urls: [string, string] = ['', ''];
  let second: RunningApi | undefined;
  beforeAll(async () => {
    second = await startApi({ config: gateway.config, db: gateway.database.db, logger: createSilentLogger(), port: 0, host: '127.0.0.1' });
    urls.splice(0, 2, gateway.url, second.url);
  });
  afterAll(async () => {
    await second?.stop({ graceMs: 1000 });
  });
  return urls;
}
