import type { Request, Response } from 'express';
import { GatewayError, type InferenceEndpoint } from '@switchyard/core';
import { lastTokenStreamSeq, loadCancelledJob, readTokenStream, replyFromState, streamWatchChannel, type RequestState } from '@switchyard/queue';
import type { ApiContext } from '../context.ts';
import { principalOf } from '../middleware/authenticate.ts';
import { createSseResponse } from './sse-response.ts';
import { createStreamEventRenderer } from './stream-event-renderer.ts';
import { createStreamRelay } from './stream-relay.ts';
import { streamingDefaults } from './streaming-defaults.ts';
import { retellResponse } from '@switchyard/formats';

type FindOwnState = (orgId: string, id: string) => Promise<RequestState | undefined>;

/**
 * GET /v1/jobs/{id}/events: the job's stream in its endpoint's format, each event with
 * `id: <n>`, its ordinal in the stream (1, 2, 3, ... one per event, whatever part it came
 * from). Sends the events after `Last-Event-ID` (or `?starting_after=N`), then goes live,
 * then the format's terminator. Any api process can serve it: it watches the request's
 * own channel, subscribed BEFORE the stream is read, and de-duplicates by sequence.
 *
 * A finished job that never streamed is told from its stored output, numbered as that
 * telling's own events, and resumes within it the same way; one whose stream expired is
 * told again from the start, and a resume of it answers 410 (its original ids are gone). A resume point at or past the end answers the event that ended the stream again.
 */
export function createJobEventsHandler(context: ApiContext, findOwnState: FindOwnState) {
  const prefix = context.config.redis.prefix;

  return async (request: Request, response: Response): Promise<void> => {
    const principal = principalOf(response);
    const id = String(request.params.id);
    const startAfter = parseStartAfter(request);
    const state = await findOwnState(principal.orgId, id);
    if (!state) {
      await answerCancelledJob(context, response, principal.orgId, id);
      return;
    }
    const data = state.data;
    if (data.call.kind !== 'chat') {
      throw new GatewayError('invalid_request', `events are only available for chat jobs, not ${data.endpoint}`, { param: 'id' });
    }

    const sse = createSseResponse(response, { keepAliveMs: streamingDefaults.keepAliveMs });
    const relay = createStreamRelay({
      sink: sse,
      renderer: createStreamEventRenderer({
        endpoint: data.endpoint,
        requestId: id,
        createdAt: data.createdAt,
        includeUsage: data.includeUsage ?? false,
        eventIds: true,
      }),
      startAfter,
      fallbackModel: data.requestedModel,
      readAfter: (seq) => readTokenStream(context.redis, prefix, id, { afterSeq: seq, count: streamingDefaults.readPageEntries }),
      synthesize: (reply) => retellResponse(data.endpoint, reply.output),
      maxLagParts: streamingDefaults.maxLagParts,
      onError: (error) => context.logger.warn({ err: error, requestId: id }, 'events relay failed'),
    });
    const stopWatching = await context.replyBus.watchChannel(streamWatchChannel(prefix, id), relay.offer);
    try {
      // A job that streamed numbered its events by its stream; once that is gone, a retelling
      // numbers them differently, so a resume point from the original would land wrong.
      if (state.outcome && startAfter > 0 && data.stream && (await lastTokenStreamSeq(context.redis, prefix, id)) === 0) {
        throw new GatewayError('not_found', `the stream of job '${id}' has expired, so it cannot be resumed; read it from the start or GET /v1/jobs/${id}`, {
          status: 410,
          param: 'id',
        });
      }
    } catch (error) {
      stopWatching();
      throw error;
    }

    sse.open({ 'x-job-id': id });
    response.on('close', () => relay.abandon());
    const settleFrom = async (current: RequestState | undefined) => {
      const reply = current && replyFromState(current);
      if (reply) await relay.settle(reply);
    };
    // Nothing arrives live for a job still queued, one that never streamed, or one whose
    // last messages were lost: look at the stream and the job's state now and then.
    let lastRelayed = -1;
    let checking = false;
    const idleCheck = setInterval(() => {
      if (checking || relay.ended || relay.relayed !== lastRelayed) {
        lastRelayed = relay.relayed;
        return;
      }
      checking = true;
      void relay
        .catchUp()
        .then(() => (relay.ended ? undefined : findOwnState(principal.orgId, id).then(settleFrom)))
        .catch((error: unknown) => context.logger.warn({ err: error, requestId: id }, 'events idle check failed'))
        .finally(() => (checking = false));
    }, streamingDefaults.eventsIdleCheckMs);
    const deadline = setTimeout(
      () => relay.fail({ code: 'timeout', message: 'the job did not finish before its deadline' }),
      Math.max(0, data.deadline - Date.now()) + streamingDefaults.eventsDeadlineGraceMs,
    );

    await relay.start({ catchUp: true });
    if (state.outcome) await settleFrom(state);
    await relay.done;
    clearInterval(idleCheck);
    clearTimeout(deadline);
    stopWatching();
  };
}

function parseStartAfter(request: Request): number {
  const header = request.headers['last-event-id'];
  const query = request.query.starting_after;
  const text = typeof header === 'string' && header.trim() !== '' ? header.trim() : typeof query === 'string' ? query : undefined;
  if (text === undefined) return 0;
  if (!/^\d{1,15}$/.test(text)) {
    throw new GatewayError('invalid_request', 'Last-Event-ID / starting_after must be a non-negative integer event id', { param: 'starting_after' });
  }
  return Number(text);
}

/** A job cancelled before any worker took it has no state but its final job object: its stream is its error. */
async function answerCancelledJob(context: ApiContext, response: Response, orgId: string, id: string): Promise<void> {
  const cancelled = await loadCancelledJob(context.redis, context.config.redis.prefix, id);
  const job =
    cancelled?.orgId === orgId
      ? (cancelled.job as { endpoint?: InferenceEndpoint; created_at?: number; model?: string; error?: { code?: string; message?: string } })
      : undefined;
  if (!job) throw new GatewayError('not_found', `No job found with id '${id}'.`, { param: 'id' });
  if (job.endpoint !== '/v1/chat/completions' && job.endpoint !== '/v1/messages') {
    throw new GatewayError('invalid_request', `events are only available for chat jobs, not ${job.endpoint}`, { param: 'id' });
  }
  const renderer = createStreamEventRenderer({
    endpoint: job.endpoint,
    requestId: id,
    createdAt: (job.created_at ?? 0) * 1000,
    includeUsage: false,
    eventIds: true,
  });
  const sse = createSseResponse(response, { keepAliveMs: streamingDefaults.keepAliveMs });
  sse.open({ 'x-job-id': id });
  const error = { code: job.error?.code ?? 'cancelled', message: job.error?.message ?? 'the job was cancelled' };
  // Its only event, sent whatever the resume point: at or past the end, the ending event comes again.
  sse.write(
    renderer
      .render({ type: 'error', error }, job.model ?? '')
      .map((event) => event.text)
      .join(''),
  );
  sse.end();
}
