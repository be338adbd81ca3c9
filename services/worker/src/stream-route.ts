import { trace } from '@opentelemetry/api';
import type { RedisConnection } from '@switchyard/queue';
import { GatewayError, type ErrorCode, type InferenceJobData, type Route, type StreamPart, type Usage } from '@switchyard/core';
import type { ProviderAdapter } from '@switchyard/providers';
import { createTokenStreamWriter, lastTokenStreamSeq, tokenStreamDefaults, type TokenBatchAppender, type TokenStreamWriterOptions } from '@switchyard/queue';
import { answer, type RouteResult } from './call-route.ts';
import { createStreamAccumulator } from './stream-accumulator.ts';
import { streamUsage } from './stream-usage.ts';

/**
 * A stream that failed after its first part. Its error part is already published; the
 * job is finished as failed (or cancelled), never retried or forwarded, which would
 * switch model in the middle of an answer the client is reading.
 */
export class StreamInterruptedError extends Error {
  readonly error: GatewayError;
  /** What the attempt consumed up to the failure (estimated, flagged). */
  readonly usage: Usage;

  constructor(error: GatewayError, usage: Usage) {
    super(error.message, { cause: error });
    this.name = 'StreamInterruptedError';
    this.error = error;
    this.usage = usage;
  }
}

export type StreamRouteOptions = {
  signal: AbortSignal;
  modelOptions: Record<string, unknown>;
  redis: RedisConnection;
  prefix: string;
  /** The process's shared token-batch appender (flushes of concurrent streams coalesce). */
  appender?: TokenBatchAppender;
  /** The job ran before (stalled, or retried): parts may already have reached the client. */
  mayHaveRunBefore: boolean;
  /** The processor's naming of a failure (cancellation and deadline included). */
  describeFailure(caught: unknown): GatewayError;
  /** Batching knobs, for tests and tuning. */
  writer?: Pick<TokenStreamWriterOptions, 'flushIntervalMs' | 'maxBatchParts' | 'maxEntries' | 'retentionSeconds'>;
};

/**
 * One streamed chat call for the job's current route: parts go to the request's token
 * stream as they arrive, and the result is the non-stream body and usage, as callRoute's.
 * Failures before the first part throw as callRoute's do (retry, forward); later ones
 * throw StreamInterruptedError.
 */
export async function streamRoute(adapter: ProviderAdapter, data: InferenceJobData, route: Route, options: StreamRouteOptions): Promise<RouteResult> {
  if (data.call.kind !== 'chat') throw new GatewayError('internal_error', `a ${data.call.kind} call cannot stream`);
  const request = { ...data.call.request, model: route.upstreamModel };
  const startAfter = options.mayHaveRunBefore ? await lastTokenStreamSeq(options.redis, options.prefix, data.requestId) : 0;
  const writer = createTokenStreamWriter(options.redis, {
    ...options.writer,
    prefix: options.prefix,
    requestId: data.requestId,
    ...(options.appender ? { appender: options.appender } : {}),
    replyTo: data.replyTo,
    model: route.model,
    startAfter,
    openTtlSeconds: Math.ceil(Math.max(0, data.deadline - Date.now()) / 1000) + (options.writer?.retentionSeconds ?? tokenStreamDefaults.retentionSeconds),
  });
  const accumulator = createStreamAccumulator();

  const interrupt = async (error: GatewayError): Promise<never> => {
    try {
      await writer.write({ type: 'error', error: { code: error.code, message: error.message, retryable: error.retryable } });
      await writer.close();
    } catch {
      // Redis is unreachable: the api ends the client's stream at its deadline.
    }
    throw new StreamInterruptedError(error, streamUsage(undefined, request, accumulator.outputCharacters));
  };

  if (startAfter > 0) return interrupt(new GatewayError('internal_error', 'the worker serving this stream stopped mid-answer; the answer cannot be resumed'));

  let finish: Extract<StreamPart, { type: 'finish' }> | undefined;
  try {
    for await (const part of adapter.stream(request, { signal: options.signal, modelOptions: options.modelOptions })) {
      // Read on after the finish so the upstream connection ends cleanly.
      if (finish) continue;
      if (part.type === 'error') {
        const error = errorOfPart(part.error);
        if (writer.lastSeq === 0) throw error;
        return await interrupt(error);
      }
      // Time to first token, on the attempt's upstream.call span.
      if (writer.lastSeq === 0) trace.getActiveSpan()?.addEvent('first part');
      accumulator.add(part);
      if (part.type === 'finish') finish = part;
      const backlog = writer.write(part);
      if (backlog) await backlog;
    }
  } catch (caught) {
    if (caught instanceof StreamInterruptedError || writer.lastSeq === 0) throw caught;
    return interrupt(options.describeFailure(caught));
  }
  if (!finish) {
    const error = new GatewayError('upstream_error', `${route.provider} ended the stream without finishing it`, { retryable: true });
    if (writer.lastSeq === 0) throw error;
    return interrupt(error);
  }
  try {
    await writer.close();
  } catch {
    // The answer is complete and billed; the api hears the end from the job's result.
  }
  const usage = streamUsage(finish.usage, request, accumulator.outputCharacters);
  return answer(data, route, { kind: 'chat', response: accumulator.toResponse(finish, { fallbackModel: route.upstreamModel, usage }) });
}

/** Error parts carry a plain string code (it may come from upstream); unknown ones are upstream errors. */
function errorOfPart(error: { code: string; message: string; retryable?: boolean }): GatewayError {
  const options = { retryable: error.retryable ?? false };
  try {
    return new GatewayError(error.code as ErrorCode, error.message, options);
  } catch {
    return new GatewayError('upstream_error', error.message, options);
  }
}
