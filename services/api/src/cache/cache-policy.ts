// Whether the response cache applies to one request, and how: pure, so each rule of the
// contract is unit-tested on its own. Off unless the model opts in (`models.<id>.cache`)
// or the request does (`x-switchyard-cache: use`); sync routes only; `Cache-Control:
// no-store` neither reads nor writes, `no-cache` writes without reading; a chat or
// completion that is not deterministic (temperature absent or above 0) is left alone
// unless the model allows it.
import type { ModelConfig, SwitchyardConfig } from '@switchyard/config';
import type { InferenceEndpoint } from '@switchyard/core';

export type CachePlan =
  /** The cache has nothing to do with this request (no header, not counted). */
  | { kind: 'off' }
  /** The cache would apply but this request opts out of it or is not cacheable (counted as a skip). */
  | { kind: 'skip' }
  /** Look up (unless `no-cache`), and store a 200 answer for `ttlSeconds`. */
  | { kind: 'use'; lookup: boolean; ttlSeconds: number };

export type CachePlanInput = {
  config: SwitchyardConfig;
  model: ModelConfig;
  endpoint: InferenceEndpoint;
  body: unknown;
  /** `x-switchyard-cache` request header. */
  cacheHeader: string | undefined;
  /** `Cache-Control` request header. */
  cacheControl: string | undefined;
  /** An async job (`Prefer: respond-async`, `POST /v1/jobs`): not a sync answer, never cached. */
  asynchronous: boolean;
};

export function planResponseCache(input: CachePlanInput): CachePlan {
  const requested = input.cacheHeader?.trim().toLowerCase() === 'use';
  if (input.asynchronous || (!input.model.cache && !requested)) return { kind: 'off' };
  const directives = cacheControlDirectives(input.cacheControl);
  if (directives.has('no-store')) return { kind: 'skip' };
  if (input.endpoint !== '/v1/embeddings' && !input.model.cache?.allowNonDeterministic && !isDeterministic(input.body)) return { kind: 'skip' };
  return { kind: 'use', lookup: !directives.has('no-cache'), ttlSeconds: input.model.cache?.ttlSeconds ?? input.config.cache.defaultTtlSeconds };
}

function isDeterministic(body: unknown): boolean {
  const temperature = typeof body === 'object' && body !== null ? (body as { temperature?: unknown }).temperature : undefined;
  return temperature === 0;
}

/** Lowercased directive names of a `Cache-Control` header (`no-cache`, `no-store`, ...). */
function cacheControlDirectives(header: string | undefined): Set<string> {
  return new Set(
    (header ?? '')
      .split(',')
      .map((directive) => directive.split('=')[0]!.trim().toLowerCase())
      .filter((name) => name !== ''),
  );
}
