// One request the response cache applies to: a hit is answered from Redis at once (no
// queue, no upstream call) and recorded as a zero-cost request; a miss runs the request
// as usual and stores its 200 answer. Identical misses coalesce: the first takes a short
// lock and asks upstream; the others wait for its entry, and go upstream themselves when
// the lock goes without one (an error, an answer too large) or the wait runs out.
import type { Response } from 'express';
import type { ReplyMessage, Usage } from '@switchyard/core';
import { appendLedgerEntries } from '@switchyard/queue';
import type { ApiContext } from '../context.ts';
import type { InferenceSpec } from '../inference/start-request.ts';
import { responseCacheDigest } from './cache-key.ts';
import { cacheHitLedgerEntry } from './cache-hit-usage.ts';
import { createResponseCacheStore, type CachedAnswer, type ResponseCacheStore } from './response-cache-store.ts';
import { sendCachedAnswer } from './send-cached-answer.ts';

/** Runs the request upstream (sync or stream), handing its finished reply to `onReply`. */
export type RunUpstream = (onReply: (reply: ReplyMessage) => void) => Promise<Usage | undefined>;

export type CachedRequest = {
  spec: InferenceSpec;
  /** The body as sent, which the key is derived from. */
  body: unknown;
  /** Catalog id of the resolved model. */
  modelId: string;
  lookup: boolean;
  ttlSeconds: number;
};

const noTokens: Usage = { inputTokens: 0, outputTokens: 0 };
const followerPollMs = 20;

export async function runCached(context: ApiContext, response: Response, request: CachedRequest, runUpstream: RunUpstream): Promise<Usage | undefined> {
  const receivedAt = Date.now();
  const { spec } = request;
  const { maxEntryBytes, lockMs } = context.config.cache;
  const store = createResponseCacheStore({ redis: context.redis, prefix: context.config.redis.prefix, maxEntryBytes, lockMs });
  const digest = responseCacheDigest({ orgId: spec.principal.orgId, endpoint: spec.endpoint, modelId: request.modelId, body: request.body });
  const log = (error: unknown, message: string) => context.logger.warn({ err: error, requestId: spec.requestId }, message);

  const answerHit = async (answer: CachedAnswer): Promise<boolean> => {
    const sent = await sendCachedAnswer(response, answer, {
      endpoint: spec.endpoint,
      requestId: spec.requestId,
      requestedModel: spec.requestedModel,
      stream: spec.stream,
      includeUsage: spec.includeUsage ?? false,
      receivedAt,
      proxyInfo: context.config.server.proxyInfo,
    });
    if (!sent) return false;
    context.metrics.countCacheRequest('hit');
    const entry = cacheHitLedgerEntry({ requestId: spec.requestId, principal: spec.principal, answer, modelId: request.modelId, receivedAt });
    await appendLedgerEntries(context.redis, context.config.redis.prefix, [entry]).catch((error: unknown) =>
      log(error, 'could not record a cache hit in the ledger'),
    );
    return true;
  };

  let release: (() => Promise<void>) | undefined;
  if (request.lookup) {
    // Redis trouble must not fail the request: it goes upstream as if there were no cache.
    const found = await lookUp(store, digest, lockMs).catch((error: unknown) => {
      log(error, 'response cache lookup failed');
      return { kind: 'miss' as const };
    });
    if (found.kind === 'hit' && (await answerHit(found.answer))) return noTokens;
    if (found.kind === 'leader') release = found.release;
    context.metrics.countCacheRequest('miss');
  } else {
    context.metrics.countCacheRequest('skip');
  }

  response.setHeader('x-switchyard-cache', 'miss');
  let pendingWrite: Promise<unknown> | undefined;
  try {
    return await runUpstream((reply) => {
      if (reply.status !== 'completed' || reply.output === undefined) return;
      const answer: CachedAnswer = { output: reply.output, storedAt: Date.now() };
      if (reply.provider) answer.provider = reply.provider;
      if (reply.model) answer.model = reply.model;
      // Stored before the lock is released, so waiting followers find it.
      pendingWrite = store.write(digest, answer, request.ttlSeconds).catch((error: unknown) => log(error, 'could not store a response cache entry'));
    });
  } finally {
    await pendingWrite;
    await release?.().catch((error: unknown) => log(error, 'could not release a response cache lock'));
  }
}

type Lookup = { kind: 'hit'; answer: CachedAnswer } | { kind: 'leader'; release: () => Promise<void> } | { kind: 'miss' };

/** The entry, or the miss lock, or (after waiting on another holder) nothing. */
async function lookUp(store: ResponseCacheStore, digest: string, lockMs: number): Promise<Lookup> {
  const found = await store.read(digest);
  if (found) return { kind: 'hit', answer: found };
  const release = await store.lock(digest);
  if (release) return { kind: 'leader', release };
  const waitUntil = Date.now() + lockMs;
  while (Date.now() < waitUntil) {
    await new Promise((resolve) => setTimeout(resolve, followerPollMs));
    const answer = await store.read(digest);
    if (answer) return { kind: 'hit', answer };
    if (!(await store.isLocked(digest))) break;
  }
  const last = await store.read(digest);
  return last ? { kind: 'hit', answer: last } : { kind: 'miss' };
}
