import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GatewayError, type InferenceJobData, type Route, type StreamPart } from '@switchyard/core';
import type { ProviderAdapter } from '@switchyard/providers';
import { lastTokenStreamSeq, readTokenStream } from '@switchyard/queue';
import { StreamInterruptedError, streamRoute, type StreamRouteOptions } from './stream-route.ts';

const route: Route = { provider: 'openai', model: 'gpt-4o', upstreamModel: 'gpt-4o-2024-08-06' };
const question = 'What is a token stream?';

function jobData(requestId: string): InferenceJobData {
  return {
    requestId,
    orgId: 'org_1',
    keyId: 'key_1',
    endpoint: '/v1/chat/completions',
    mode: 'sync',
    stream: true,
    requestedModel: 'gpt-4o',
    call: { kind: 'chat', request: { model: 'gpt-4o', messages: [{ role: 'user', content: [{ type: 'text', text: question }] }] } },
    routes: [route],
    routeIndex: 0,
    createdAt: Date.now(),
    deadline: Date.now() + 60_000,
  };
}

/** An adapter that yields the given parts, then throws `failure` if there is one. */
function adapterOf(parts: StreamPart[], failure?: Error): ProviderAdapter & { calls: number } {
  const adapter = {
    name: 'openai',
    calls: 0,
    generate: () => Promise.reject(new Error('not used')),
    async *stream() {
      adapter.calls++;
      for (const part of parts) yield part;
      if (failure) throw failure;
    },
  };
  return adapter;
}

const text = (value: string): StreamPart => ({ type: 'text-delta', text: value });

describe('streamRoute', () => {
  let redis: Redis;
  const prefix = `test-stream-route-${randomBytes(4).toString('hex')}`;
  const options = (): StreamRouteOptions => ({
    signal: new AbortController().signal,
    modelOptions: {},
    redis,
    prefix,
    mayHaveRunBefore: false,
    describeFailure: (caught) => (caught instanceof GatewayError ? caught : new GatewayError('internal_error', 'boom')),
  });
  const storedParts = async (requestId: string) => (await readTokenStream(redis, prefix, requestId, { afterSeq: 0 })).flatMap((message) => message.parts);

  beforeAll(() => {
    redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
  });
  afterAll(async () => {
    const keys = await redis.keys(`${prefix}:*`);
    if (keys.length > 0) await redis.del(...keys);
    await redis.quit();
  });

  it('appends every part and answers with the non-stream body and usage', async () => {
    const parts: StreamPart[] = [
      text('A token '),
      text('stream.'),
      { type: 'finish', finishReason: 'stop', usage: { inputTokens: 9, outputTokens: 3 }, id: 'up_1' },
    ];
    const result = await streamRoute(adapterOf(parts), jobData('req_done'), route, options());
    expect(await storedParts('req_done')).toEqual(parts);
    expect(result.usage).toEqual({ inputTokens: 9, outputTokens: 3 });
    expect(result.output).toMatchObject({
      id: 'chatcmpl-done',
      object: 'chat.completion',
      model: 'gpt-4o',
      choices: [{ message: { role: 'assistant', content: 'A token stream.' }, finish_reason: 'stop' }],
      usage: { prompt_tokens: 9, completion_tokens: 3 },
    });
    expect(await redis.ttl(`${prefix}:stream:req_done`)).toBeLessThanOrEqual(600);
  });

  it('estimates usage the upstream did not report, and flags it', async () => {
    const parts: StreamPart[] = [text('12345678'), { type: 'finish', finishReason: 'stop', usage: { inputTokens: 0, outputTokens: 0, estimated: true } }];
    const result = await streamRoute(adapterOf(parts), jobData('req_estimated'), route, options());
    expect(result.usage).toEqual({ inputTokens: Math.ceil(question.length / 4), outputTokens: 2, estimated: true });
  });

  it('ends the stream with an error part after a mid-stream failure, with the partial usage', async () => {
    const parts: StreamPart[] = [
      text('abcd'),
      text('efgh'),
      { type: 'error', error: { code: 'upstream_error', message: 'connection reset', retryable: true } },
    ];
    const error = await streamRoute(adapterOf(parts), jobData('req_cut'), route, options()).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(StreamInterruptedError);
    expect((error as StreamInterruptedError).error).toMatchObject({ code: 'upstream_error', retryable: true });
    expect((error as StreamInterruptedError).usage).toEqual({ inputTokens: Math.ceil(question.length / 4), outputTokens: 2, estimated: true });
    expect((await storedParts('req_cut')).at(-1)).toEqual({ type: 'error', error: { code: 'upstream_error', message: 'connection reset', retryable: true } });
  });

  it('names a failure thrown after the first part the way the processor does', async () => {
    const cancelled = new GatewayError('cancelled', 'request cancelled');
    const error = await streamRoute(adapterOf([text('partial')], cancelled), jobData('req_cancelled'), route, options()).catch((caught: unknown) => caught);
    expect((error as StreamInterruptedError).error.code).toBe('cancelled');
    expect((await storedParts('req_cancelled')).at(-1)).toMatchObject({ type: 'error', error: { code: 'cancelled' } });
  });

  it('throws a failure before the first part as it is, with nothing written, so the job may retry or fall back', async () => {
    const first = await streamRoute(
      adapterOf([{ type: 'error', error: { code: 'upstream_overloaded', message: 'busy', retryable: true } }]),
      jobData('req_early'),
      route,
      options(),
    ).catch((caught: unknown) => caught);
    expect(first).not.toBeInstanceOf(StreamInterruptedError);
    expect(first).toMatchObject({ code: 'upstream_overloaded', retryable: true });
    const unknownCode = await streamRoute(
      adapterOf([{ type: 'error', error: { code: 'weird', message: 'odd' } }]),
      jobData('req_early'),
      route,
      options(),
    ).catch((caught: unknown) => caught);
    expect(unknownCode).toMatchObject({ code: 'upstream_error', retryable: false });
    expect(await lastTokenStreamSeq(redis, prefix, 'req_early')).toBe(0);
  });

  it('refuses to run again a stream that already sent parts (a stalled job picked up twice)', async () => {
    await streamRoute(adapterOf([text('first run')], new GatewayError('internal_error', 'worker died')), jobData('req_stalled'), route, options()).catch(
      () => {},
    );
    const adapter = adapterOf([text('second run'), { type: 'finish', finishReason: 'stop', usage: { inputTokens: 1, outputTokens: 1 } }]);
    const error = await streamRoute(adapter, jobData('req_stalled'), route, { ...options(), mayHaveRunBefore: true }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(StreamInterruptedError);
    expect(adapter.calls).toBe(0);
    expect((await storedParts('req_stalled')).map((part) => part.type)).toEqual(['text-delta', 'error', 'error']);
  });
});
