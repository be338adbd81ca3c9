// `Idempotency-Key` on a creating POST, as one Express middleware placed after
// authentication and before the route's handler:
//
//   router.post('/batches', idempotent(context, '/v1/batches'), handler)
//
// A request with a key claims it in Redis (per org and route). The answer is captured as
// it is written (`res.write`/`res.end`) and, before its last byte leaves, stored for
// `idempotency.ttlSeconds`, or the key is released (5xx, 429, an unfinished stream, an
// answer over `idempotency.maxStoredBytes`, a client that left). A retry with the same key
// and body gets the stored answer with `Idempotent-Replayed: true`; the handler never runs.
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import type { SwitchyardConfig } from '@switchyard/config';
import { GatewayError, openSecret, sealSecret } from '@switchyard/core';
import { idempotencyRecordKey } from '@switchyard/queue';
import type { ApiContext } from '../context.ts';
import { principalOf } from './authenticate.ts';
import { setRetryAfter } from './error-format.ts';
import {
  decideOnRecord,
  hashIdempotencyKey,
  headersToReplay,
  idempotencyHeader,
  parseIdempotencyKey,
  requestFingerprint,
  storeVerdict,
  type InFlightRecord,
  type StoredRecord,
} from './idempotency-rules.ts';
import { claimIdempotencyKey, type HeldKey } from './idempotency-store.ts';

/** When the holder of a key may be done: a retry after this is worth trying. */
const inUseRetryAfterMs = 1000;
/** The answer waits at most this long for its record to be stored (a slow Redis must not hold it back). */
const settleWaitMs = 2000;
/** Beyond the longest answer a request can wait for, so a live request never loses its claim. */
const inFlightMarginMs = 60_000;

/**
 * How long an in-flight claim lives: longer than the longest sync deadline (a sync call or
 * stream waits `syncTimeoutMs` + 1 s, `Prefer: wait` up to `maxPreferWaitSeconds`), so only
 * a crashed api process lets it lapse.
 */
function inFlightTtlMs(config: SwitchyardConfig): number {
  return Math.max(config.server.syncTimeoutMs + 1000, config.server.maxPreferWaitSeconds * 1000) + inFlightMarginMs;
}

const incompleteFlag = 'idempotencyAnswerIncomplete';

/**
 * Says whether the answer being written is the whole, final answer. A stream is marked
 * incomplete when it opens and complete only when it ends with its finish part, so a
 * stream cut by an error is not stored for replay. Called before the response's end.
 */
export function markAnswerComplete(response: Response, complete: boolean): void {
  response.locals[incompleteFlag] = !complete;
}

/** The stored body is sealed under SWITCHYARD_ENCRYPTION_KEY when one is set: answers may carry a just-created webhook secret. */
function replay(response: Response, record: StoredRecord, encryptionKey: string | undefined): void {
  response.status(record.status);
  for (const [name, value] of Object.entries(record.headers)) response.setHeader(name, value);
  response.setHeader('Idempotent-Replayed', 'true');
  response.end(Buffer.from(openSecret(record.body, encryptionKey), 'base64'));
}

type Chunk = string | Uint8Array | undefined | null | ((error?: Error | null) => void);

function bytesOf(chunk: Chunk, encoding: unknown): Buffer | undefined {
  if (chunk === undefined || chunk === null || typeof chunk === 'function') return undefined;
  if (typeof chunk === 'string') return Buffer.from(chunk, typeof encoding === 'string' ? (encoding as BufferEncoding) : 'utf8');
  return Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
}

/**
 * Captures what the handler writes and, on the response's end, stores it under the held
 * key or releases the key, then lets the end through. A response that closes before its
 * end (the client left) releases the key. Any Redis failure here is logged: the claim then
 * lapses with its in-flight TTL.
 */
function captureAnswer(context: ApiContext, request: Request, response: Response, held: HeldKey, fingerprint: string): void {
  const { ttlSeconds, maxStoredBytes } = context.config.idempotency;
  const requestId = response.locals.requestId as string;
  const chunks: Buffer[] = [];
  let bytes = 0;
  let settled = false;

  const collect = (chunk: Chunk, encoding: unknown) => {
    const buffer = bytesOf(chunk, encoding);
    if (!buffer) return;
    bytes += buffer.length;
    // Past the cap nothing is kept; only the count goes on (the answer will not be stored).
    if (bytes <= maxStoredBytes) chunks.push(Buffer.from(buffer));
    else chunks.length = 0;
  };

  const settle = async (ended: boolean) => {
    if (settled) return;
    settled = true;
    const verdict = ended
      ? storeVerdict({ status: response.statusCode, complete: response.locals[incompleteFlag] !== true, bytes, maxBytes: maxStoredBytes })
      : ({ store: false, reason: 'incomplete' } as const);
    try {
      if (verdict.store) {
        const record: StoredRecord = {
          state: 'stored',
          fingerprint,
          requestId,
          status: response.statusCode,
          headers: headersToReplay(response.getHeaders()),
          body: sealSecret(Buffer.concat(chunks).toString('base64'), context.config.encryptionKey),
          storedAt: Date.now(),
        };
        if (!(await held.store(record, ttlSeconds * 1000))) context.logger.warn({ requestId }, 'idempotency claim lapsed before the answer was stored');
        return;
      }
      if (verdict.reason === 'too_large') {
        context.logger.info({ requestId, bytes, maxStoredBytes, path: request.path }, 'answer too large to store for its Idempotency-Key; the key is released');
      }
      await held.release();
    } catch (error) {
      context.logger.warn({ err: error, requestId }, 'could not settle the Idempotency-Key record; it lapses with its in-flight TTL');
    }
  };

  const write = response.write;
  const end = response.end;
  response.write = function (this: Response, chunk: Chunk, ...rest: unknown[]) {
    collect(chunk, rest[0]);
    return (write as (...args: unknown[]) => boolean).call(this, chunk, ...rest);
  } as typeof response.write;
  let ending: Promise<void> | undefined;
  response.end = function (this: Response, ...args: unknown[]) {
    const endNow = () => void (end as (...args: unknown[]) => Response).apply(this, args);
    // A second end while the first waits goes after it, as it would have without the wait.
    if (ending) {
      void ending.then(endNow);
      return this;
    }
    if (settled) {
      endNow();
      return this;
    }
    collect(args[0] as Chunk, args[1]);
    // Stored before the last byte leaves: a client that retries at once finds the answer, not the claim.
    let timer: NodeJS.Timeout | undefined;
    const waited = new Promise<void>((resolve) => (timer = setTimeout(resolve, settleWaitMs)));
    ending = Promise.race([settle(true), waited])
      .catch(() => undefined)
      .then(() => {
        clearTimeout(timer);
        endNow();
      });
    return this;
  } as typeof response.end;
  response.on('close', () => void settle(false));
}

export type IdempotentOptions = {
  /**
   * What identifies the request besides the route, compared by SHA-256: by default the parsed
   * JSON body. A multipart route passes what its upload parser produced (place the middleware
   * after the parser), e.g. `(request) => ({ fields: request.body, file: request.file?.buffer })`
   * or the raw bytes as one Buffer (hashed as they are).
   */
  canonicalBody?: (request: Request) => unknown;
};

/**
 * `Idempotency-Key` for one creating route, named by `route` (the key's scope, with the
 * org: the same key on two routes or two orgs is two keys). Must run after authentication.
 */
export function idempotent(context: ApiContext, route: string, options: IdempotentOptions = {}): RequestHandler {
  const prefix = context.config.redis.prefix;
  const claimTtlMs = inFlightTtlMs(context.config);
  return async (request: Request, response: Response, next: NextFunction): Promise<void> => {
    const key = parseIdempotencyKey(request.headers[idempotencyHeader.toLowerCase()]);
    if (key === undefined) {
      next();
      return;
    }
    const principal = principalOf(response);
    // A multipart body is not parsed before the route: without a canonical body every upload would look the same.
    if (!options.canonicalBody && String(request.headers['content-type'] ?? '').startsWith('multipart/')) {
      throw new GatewayError('unsupported_parameter', `${idempotencyHeader} is not supported on multipart requests to ${route}`, { param: idempotencyHeader });
    }
    const fingerprint = requestFingerprint(route, options.canonicalBody ? options.canonicalBody(request) : request.body);
    const recordKey = idempotencyRecordKey(prefix, principal.orgId, route, hashIdempotencyKey(key));
    const inFlight: InFlightRecord = { state: 'in_flight', fingerprint, requestId: response.locals.requestId as string, startedAt: Date.now() };
    let claim: Awaited<ReturnType<typeof claimIdempotencyKey>>;
    try {
      claim = await claimIdempotencyKey(context.redis, recordKey, inFlight, claimTtlMs);
    } catch (error) {
      context.logger.warn({ err: error, requestId: inFlight.requestId }, 'could not claim the Idempotency-Key');
      throw new GatewayError('internal_error', 'the idempotency store is unreachable; retry with the same Idempotency-Key', {
        status: 503,
        retryAfterMs: inUseRetryAfterMs,
        cause: error,
      });
    }
    const decision = decideOnRecord('existing' in claim ? claim.existing : undefined, fingerprint);
    switch (decision.kind) {
      case 'new':
        if ('held' in claim) captureAnswer(context, request, response, claim.held, fingerprint);
        next();
        return;
      case 'replay':
        replay(response, decision.record, context.config.encryptionKey);
        return;
      case 'mismatch':
        throw new GatewayError(
          'idempotency_key_reused',
          `this ${idempotencyHeader} was already used with a different request body on ${route}; use a new key for a new request`,
          { param: idempotencyHeader },
        );
      case 'in_use':
        setRetryAfter(response, inUseRetryAfterMs);
        throw new GatewayError('idempotency_key_in_use', `a request with this ${idempotencyHeader} is still in progress; retry after it finishes`, {
          param: idempotencyHeader,
          retryAfterMs: inUseRetryAfterMs,
        });
    }
  };
}
