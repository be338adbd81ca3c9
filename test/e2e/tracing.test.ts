import { SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { InMemorySpanExporter, type ReadableSpan } from '@opentelemetry/sdk-trace';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { newRequestId, type InferenceJobData } from '@switchyard/core';
import { startTracing, type Tracing } from '@switchyard/observability';
import { createInferenceQueues, inferenceJobName, type InferenceQueues } from '@switchyard/queue';
import { eventually } from '@switchyard/testing';
import { useGateway } from '../support/use-gateway.ts';

// api and worker run in this process, so one in-memory exporter sees both sides of the queue.
const exporter = new InMemorySpanExporter();
let tracing: Tracing | undefined;
let queues: InferenceQueues;

// A sync job leaves Redis as it is answered: the data each job ran with is kept here instead.
const ranWith = new Map<string, InferenceJobData>();
const jobData = (requestId: string) => eventually(`the data job ${requestId} ran with`, () => ranWith.get(requestId));

const gateway = useGateway({
  workerOptions: {
    onAttemptFinished: async (event) => {
      ranWith.set(event.data.requestId, event.data);
    },
  },
  upstreams: { primary: { kind: 'openai' }, backup: { kind: 'openai' } },
  overrides: ({ primary, backup }) => ({
    providers: {
      openai: { apiKey: 'sk-primary', baseUrl: primary.url, attempts: 1 },
      backup: { kind: 'openai-compatible', apiKey: 'sk-backup', baseUrl: backup.url, attempts: 1 },
    },
    models: {
      'primary-model': { provider: 'openai', fallbacks: ['backup-model'] },
      'backup-model': { provider: 'backup' },
    },
  }),
});
const { primary } = gateway.upstreams;

beforeAll(async () => {
  tracing = await startTracing({ serviceName: 'switchyard-test', exporter });
  queues = createInferenceQueues({ connection: gateway.redis, prefix: gateway.prefix });
});
afterAll(async () => {
  await queues?.close();
  await tracing?.shutdown();
});
beforeEach(() => {
  exporter.reset();
  gateway.resetUpstreams();
});

const idOf = (span: ReadableSpan) => span.spanContext().spanId;
const parentOf = (span: ReadableSpan) => span.parentSpanContext?.spanId;
const millisOf = (time: [number, number]) => time[0] * 1000 + time[1] / 1e6;

/** Every finished span of the trace whose SERVER span answered `requestId`, once `count` spans named `until` are in. */
async function traceOf(requestId: string, until = 'job.process', count = 1): Promise<ReadableSpan[]> {
  return eventually(`the trace of ${requestId} with ${count} ${until} span(s)`, () => {
    const spans = exporter.getFinishedSpans();
    const server = spans.find((span) => span.kind === SpanKind.SERVER && span.attributes['switchyard.request_id'] === requestId);
    if (!server) return undefined;
    const inTrace = spans.filter((span) => span.spanContext().traceId === server.spanContext().traceId);
    return inTrace.filter((span) => span.name === until).length >= count && inTrace;
  });
}

function only(spans: ReadableSpan[], name: string, where: (span: ReadableSpan) => boolean = () => true): ReadableSpan {
  const found = spans.filter((span) => span.name === name && where(span));
  expect(found.map((span) => span.name)).toEqual([name]);
  return found[0]!;
}

describe('one trace per request, across the queue', () => {
  it('links a sync chat (openai SDK) from the api span through the queue to the upstream call and the reply', async () => {
    const { response } = await gateway.openai.chat.completions
      .create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'trace me' }] })
      .withResponse();
    const requestId = response.headers.get('x-request-id')!;
    const spans = await traceOf(requestId);

    const server = only(spans, 'POST /v1/chat/completions');
    expect(server.kind).toBe(SpanKind.SERVER);
    expect(parentOf(server)).toBeUndefined();
    expect(server.attributes).toMatchObject({
      'http.request.method': 'POST',
      'http.route': '/v1/chat/completions',
      'http.response.status_code': 200,
      'switchyard.request_id': requestId,
      'switchyard.model.requested': 'gpt-4o-mini',
      'switchyard.model': 'gpt-4o-mini',
      'switchyard.provider': 'openai',
    });

    const enqueue = only(spans, 'queue.enqueue');
    expect(enqueue.kind).toBe(SpanKind.PRODUCER);
    expect(parentOf(enqueue)).toBe(idOf(server));
    expect(enqueue.attributes).toMatchObject({ 'switchyard.request_id': requestId, 'switchyard.provider': 'openai', 'switchyard.route_index': 0 });
    expect(parentOf(only(spans, 'reply.wait'))).toBe(idOf(server));

    // The worker's spans hang under the enqueue span, whose id the job's own data carries.
    const data = await jobData(requestId);
    expect(data.trace?.traceparent).toBe(`00-${server.spanContext().traceId}-${idOf(enqueue)}-01`);
    const wait = only(spans, 'queue.wait');
    const processing = only(spans, 'job.process');
    expect(parentOf(wait)).toBe(idOf(enqueue));
    expect(parentOf(processing)).toBe(idOf(enqueue));
    expect(processing.kind).toBe(SpanKind.CONSUMER);
    expect(processing.attributes).toMatchObject({ 'switchyard.outcome': 'completed', 'messaging.message.id': requestId });
    // The wait runs from the enqueue (the job's timestamp, after the api made the job) to the worker taking it.
    expect(millisOf(wait.startTime)).toBeGreaterThanOrEqual(data.createdAt);
    expect(millisOf(wait.startTime)).toBeLessThanOrEqual(millisOf(processing.startTime));

    const upstream = only(spans, 'upstream.call');
    expect(upstream.kind).toBe(SpanKind.CLIENT);
    expect(parentOf(upstream)).toBe(idOf(processing));
    expect(upstream.attributes).toMatchObject({
      'switchyard.provider': 'openai',
      'switchyard.model': 'gpt-4o-mini',
      'switchyard.upstream_model': 'gpt-4o-mini',
      'switchyard.attempt': 1,
    });
    expect(upstream.status.code).not.toBe(SpanStatusCode.ERROR);
    expect(parentOf(only(spans, 'reply.publish'))).toBe(idOf(processing));
    expect(spans.map((span) => span.resource.attributes['service.name'])).toEqual(spans.map(() => 'switchyard-test'));
  });

  it('continues the trace the carrier names, not the async context the job was queued from', async () => {
    const { response } = await gateway.openai.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'seed' }] }).withResponse();
    const seed = await jobData(response.headers.get('x-request-id')!);
    const { replyTo: _replyTo, ...rest } = seed;
    const carrier = { traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01' };
    const data: InferenceJobData = { ...rest, requestId: newRequestId(), createdAt: Date.now(), deadline: Date.now() + 30_000, trace: carrier };
    // Queued from inside an unrelated active span: were the async context used, it would be the parent.
    await trace.getTracer('test').startActiveSpan('unrelated', (span) =>
      queues
        .get('openai')
        .add(inferenceJobName, data, { jobId: data.requestId })
        .finally(() => span.end()),
    );

    const processing = await eventually('the job.process span of the hand-queued job', () =>
      exporter.getFinishedSpans().find((span) => span.name === 'job.process' && span.attributes['switchyard.request_id'] === data.requestId),
    );
    expect(processing.spanContext().traceId).toBe('0af7651916cd43dd8448eb211c80319c');
    expect(parentOf(processing)).toBe('b7ad6b7169203331');
  });

  it('keeps a fallback in the same trace: the second job hangs under the forward of the first', async () => {
    primary.behave('primary-model', { status: 500 });
    const { response } = await gateway.openai.chat.completions
      .create({ model: 'primary-model', messages: [{ role: 'user', content: 'fall back' }] })
      .withResponse();
    expect(response.headers.get('x-switchyard-provider')).toBe('backup');
    const spans = await traceOf(response.headers.get('x-request-id')!, 'job.process', 2);

    const server = only(spans, 'POST /v1/chat/completions');
    expect(server.attributes).toMatchObject({ 'switchyard.provider': 'backup', 'switchyard.model': 'backup-model' });
    const firstEnqueue = only(spans, 'queue.enqueue', (span) => parentOf(span) === idOf(server));
    const first = only(spans, 'job.process', (span) => span.attributes['switchyard.provider'] === 'openai');
    expect(parentOf(first)).toBe(idOf(firstEnqueue));
    expect(first.attributes).toMatchObject({ 'switchyard.outcome': 'forwarded', 'error.type': 'upstream_error' });
    const failedCall = only(spans, 'upstream.call', (span) => parentOf(span) === idOf(first));
    expect(failedCall.status.code).toBe(SpanStatusCode.ERROR);
    expect(failedCall.attributes).toMatchObject({ 'error.type': 'upstream_error', 'http.response.status_code': 500, 'switchyard.provider': 'openai' });

    const forward = only(spans, 'queue.enqueue', (span) => parentOf(span) === idOf(first));
    expect(forward.attributes).toMatchObject({ 'switchyard.provider': 'backup', 'switchyard.route_index': 1 });
    const second = only(spans, 'job.process', (span) => span.attributes['switchyard.provider'] === 'backup');
    expect(parentOf(second)).toBe(idOf(forward));
    expect(parentOf(only(spans, 'queue.wait', (span) => span.attributes['switchyard.provider'] === 'backup'))).toBe(idOf(forward));
    const servedCall = only(spans, 'upstream.call', (span) => parentOf(span) === idOf(second));
    expect(servedCall.attributes).toMatchObject({ 'switchyard.provider': 'backup', 'switchyard.attempt': 2 });
    expect(servedCall.status.code).not.toBe(SpanStatusCode.ERROR);
  });

  it('gives a stream the same spans, and marks its first part on the upstream call', async () => {
    const stream = await gateway.openai.chat.completions
      .create({ model: 'gpt-4o-mini', stream: true, messages: [{ role: 'user', content: 'stream me' }] })
      .withResponse();
    const requestId = stream.response.headers.get('x-request-id')!;
    let text = '';
    for await (const chunk of stream.data) text += chunk.choices[0]?.delta?.content ?? '';
    expect(text).not.toBe('');
    const spans = await traceOf(requestId);

    const server = only(spans, 'POST /v1/chat/completions');
    expect(server.attributes).toMatchObject({ 'http.response.status_code': 200, 'switchyard.model.requested': 'gpt-4o-mini' });
    const enqueue = only(spans, 'queue.enqueue');
    expect(enqueue.attributes).toMatchObject({ 'switchyard.stream': true });
    const processing = only(spans, 'job.process');
    expect(parentOf(processing)).toBe(idOf(enqueue));
    const upstream = only(spans, 'upstream.call');
    expect(parentOf(upstream)).toBe(idOf(processing));
    expect(upstream.events.map((event) => event.name)).toEqual(['first part']);
  });
});

describe('with tracing off', () => {
  it('puts no trace context in the job', async () => {
    await tracing?.shutdown();
    tracing = undefined;
    const { response } = await gateway.openai.chat.completions
      .create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'untraced' }] })
      .withResponse();
    const data = await jobData(response.headers.get('x-request-id')!);
    expect(data.requestedModel).toBe('gpt-4o-mini');
    expect(data).not.toHaveProperty('trace');
  });
});
