// The middleware when Redis fails: a key that cannot be claimed answers 503 (the request is
// not run unprotected), and an answer whose record cannot be stored is still delivered.
// Real Redis clients throughout: one on an address nobody listens on, one closed mid-request.
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express, { type NextFunction, type Request, type Response } from 'express';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '@switchyard/config';
import { createSilentLogger } from '@switchyard/logger';
import { deletePrefix, testRedis, uniquePrefix } from '@switchyard/testing';
import type { ApiContext } from '../context.ts';
import { createErrorHandler } from './error-handler.ts';
import { idempotent } from './idempotency.ts';

const prefix = uniquePrefix('idemmw');
const servers: Server[] = [];

afterAll(async () => {
  await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
  await deletePrefix((await testRedis()).url, prefix);
});

/** An app with only what the middleware needs: a request id, a principal, the route, the error handler. */
async function serve(redis: Redis, handler: (request: Request, response: Response) => Promise<void> | void): Promise<string> {
  const logger = createSilentLogger();
  const config = loadConfig({ env: {}, overrides: { redis: { prefix } } });
  const context = { config, logger, redis } as unknown as ApiContext;
  const app = express();
  app.use(express.json());
  app.use((_request: Request, response: Response, next: NextFunction) => {
    response.locals.requestId = `req_${Math.random().toString(36).slice(2)}`;
    response.locals.principal = { keyId: 'key_1', orgId: 'org_1', org: { monthlyBudgetUsd: null, rpmLimit: null, tpmLimit: null } };
    next();
  });
  app.post('/things', idempotent(context, '/v1/things'), handler);
  app.use(createErrorHandler(logger));
  const server = await new Promise<Server>((resolve) => {
    const listening = app.listen(0, '127.0.0.1', () => resolve(listening));
  });
  servers.push(server);
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/things`;
}

const send = (url: string, key?: string) =>
  fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...(key ? { 'idempotency-key': key } : {}) }, body: '{"a":1}' });

describe('idempotent() when Redis fails', () => {
  it('answers 503 with Retry-After when the key cannot be claimed, and does not run the route', async () => {
    const unreachable = new Redis('redis://127.0.0.1:1', { lazyConnect: true, enableOfflineQueue: false, maxRetriesPerRequest: 0, retryStrategy: () => null });
    unreachable.on('error', () => {});
    let ran = 0;
    const url = await serve(unreachable, (_request, response) => {
      ran++;
      response.json({ ok: true });
    });
    const refused = await send(url, 'k-1');
    expect(refused.status).toBe(503);
    expect(refused.headers.get('retry-after')).toBe('1');
    expect(((await refused.json()) as { error: { message: string } }).error.message).toContain('idempotency store');
    expect(ran).toBe(0);
    // Without a key the route does not need Redis here.
    expect((await send(url)).status).toBe(200);
    expect(ran).toBe(1);
    unreachable.disconnect();
  });

  it('still delivers the answer when its record cannot be stored', async () => {
    const redis = new Redis((await testRedis()).url);
    const url = await serve(redis, async (_request, response) => {
      await redis.quit();
      response.json({ ok: true });
    });
    const answered = await send(url, 'k-2');
    expect(answered.status).toBe(200);
    expect(await answered.json()).toEqual({ ok: true });
  });
});
