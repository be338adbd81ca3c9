import { timingSafeEqual } from 'node:crypto';
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { GatewayError } from '@switchyard/core';
import type { Logger } from '@switchyard/logger';
import type { Registry } from 'prom-client';

export type MetricsServer = { url: string; port: number; stop(): Promise<void> };

/** The error envelope the api answers with (OpenAI's shape), so a scraper sees one format from every process. */
const answerError = (response: ServerResponse, error: GatewayError, headers: Record<string, string> = {}) =>
  response
    .writeHead(error.status, { 'content-type': 'application/json', ...headers })
    .end(JSON.stringify({ error: { message: error.message, type: error.type, param: error.param ?? null, code: error.code } }));

const sameSecret = (presented: string, expected: string): boolean => {
  const a = Buffer.from(presented);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
};

/**
 * GET /metrics (and /health) of a process without an api: `worker`, `ledger` and `webhooks`
 * on `--metrics-port` / METRICS_PORT. With a metrics key, scrapes need `Authorization: Bearer <key>`.
 */
export async function serveMetrics(options: { registry: Registry; port: number; host?: string; metricsKey?: string; logger: Logger }): Promise<MetricsServer> {
  const { registry, metricsKey } = options;
  const server: Server = createServer((request, response) => {
    const path = (request.url ?? '/').split('?')[0];
    if (request.method !== 'GET' || (path !== '/metrics' && path !== '/health')) {
      answerError(response, new GatewayError('not_found', 'only GET /metrics and GET /health are served here'));
      return;
    }
    if (path === '/health') {
      response.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"ok"}');
      return;
    }
    // Answered as the api answers its own /metrics: no key 401, another key 403.
    const presented = /^Bearer\s+(.+)$/i.exec(request.headers.authorization ?? '')?.[1]?.trim();
    if (metricsKey && !presented) {
      answerError(response, new GatewayError('missing_api_key', 'GET /metrics needs Authorization: Bearer <SWITCHYARD_METRICS_KEY>'), {
        'www-authenticate': 'Bearer',
      });
      return;
    }
    if (metricsKey && presented && !sameSecret(presented, metricsKey)) {
      answerError(response, new GatewayError('permission_denied', 'not the metrics key'));
      return;
    }
    registry.metrics().then(
      (text) => response.writeHead(200, { 'content-type': registry.contentType }).end(text),
      (error: unknown) => {
        options.logger.warn({ err: error }, 'metrics collection failed');
        answerError(response, new GatewayError('internal_error', 'metrics collection failed'));
      },
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host ?? '0.0.0.0', () => resolve());
  });
  const address = server.address() as AddressInfo;
  const url = `http://${address.address === '0.0.0.0' || address.address === '::' ? '127.0.0.1' : address.address}:${address.port}`;
  options.logger.info({ url: `${url}/metrics` }, `metrics on ${url}/metrics`);
  return {
    url,
    port: address.port,
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
