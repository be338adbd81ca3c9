import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { eventually, startMockOpenAIUpstream, type MockUpstream } from '@switchyard/testing';
import { openAIClient } from '../support/clients.ts';
import { prepareProcessStack, spawnSwitchyard, waitForHttp, type ProcessStack, type ServiceProcess } from '../support/processes.ts';

/** One span as OTLP/HTTP JSON carries it, with the service that sent it. */
type ReceivedSpan = { service: string; traceId: string; spanId: string; parentSpanId?: string; name: string; kind: number };

type OtlpExport = {
  resourceSpans?: Array<{
    resource?: { attributes?: Array<{ key: string; value: { stringValue?: string } }> };
    scopeSpans?: Array<{ spans?: Array<Omit<ReceivedSpan, 'service'>> }>;
  }>;
};

/** A stand-in collector: takes OTLP/HTTP JSON on POST /v1/traces and keeps every span. */
async function startTraceReceiver(): Promise<{ url: string; spans: ReceivedSpan[]; paths: string[]; close(): Promise<void> }> {
  const spans: ReceivedSpan[] = [];
  const paths: string[] = [];
  const server: Server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk) => (body += String(chunk)));
    request.on('end', () => {
      paths.push(`${request.method} ${request.url} ${request.headers['content-type']}`);
      const exported = JSON.parse(body) as OtlpExport;
      for (const resourceSpans of exported.resourceSpans ?? []) {
        const service = resourceSpans.resource?.attributes?.find((attribute) => attribute.key === 'service.name')?.value.stringValue ?? '';
        for (const scope of resourceSpans.scopeSpans ?? []) for (const span of scope.spans ?? []) spans.push({ ...span, service });
      }
      response.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    spans,
    paths,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

let upstream: MockUpstream;
let receiver: Awaited<ReturnType<typeof startTraceReceiver>>;
let stack: ProcessStack;
let worker: ServiceProcess;

beforeAll(async () => {
  upstream = await startMockOpenAIUpstream({ record: false });
  receiver = await startTraceReceiver();
  stack = await prepareProcessStack({
    env: {
      OPENAI_API_KEY: 'sk-upstream',
      OPENAI_BASE_URL: upstream.url,
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
      OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
      OTEL_BSP_SCHEDULE_DELAY: '100',
    },
  });
  const api = stack.start(['api']);
  // The worker's batch would wait ten minutes: its spans arrive only through the flush on stop.
  worker = spawnSwitchyard(['worker', '--provider', 'openai'], { ...stack.env, OTEL_BSP_SCHEDULE_DELAY: '600000' });
  await waitForHttp(`${stack.url}/health`, api);
}, 60_000);

afterAll(async () => {
  await worker?.stop('SIGKILL');
  await stack?.stop();
  await receiver?.close();
  await upstream?.close();
});

it('exports one trace from two processes (the worker flushing its spans as it stops): api span, queue hop and worker spans share a trace id', async () => {
  const client = openAIClient({ url: stack.url, apiKey: stack.apiKey });
  const { response } = await client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'across processes' }] }).withResponse();
  expect(response.status).toBe(200);

  const named = (service: string, name: string) => receiver.spans.filter((span) => span.service === service && span.name === name);
  const server = await eventually('the api SERVER span', () => named('switchyard-api', 'POST /v1/chat/completions')[0]);
  const inTrace = (service: string, name: string) => named(service, name).filter((span) => span.traceId === server.traceId);
  await eventually("the api's reply.wait span", () => inTrace('switchyard-api', 'reply.wait').length === 1);
  expect(receiver.spans.filter((span) => span.service === 'switchyard-worker')).toEqual([]);
  expect(await worker.stop('SIGTERM')).toBe(0);
  const [processing] = inTrace('switchyard-worker', 'job.process');
  expect(processing).toBeDefined();

  const enqueue = inTrace('switchyard-api', 'queue.enqueue');
  expect(enqueue).toHaveLength(1);
  expect(enqueue[0]!.parentSpanId).toBe(server.spanId);
  expect(processing!.parentSpanId).toBe(enqueue[0]!.spanId);
  expect(inTrace('switchyard-worker', 'upstream.call').map((span) => span.parentSpanId)).toEqual([processing!.spanId]);
  expect(inTrace('switchyard-worker', 'queue.wait').map((span) => span.parentSpanId)).toEqual([enqueue[0]!.spanId]);
  expect(receiver.paths.every((path) => path === 'POST /v1/traces application/json')).toBe(true);
}, 60_000);
