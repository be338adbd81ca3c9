import type { IncomingHttpHeaders } from 'node:http';

export type RecordedRequest = {
  method: string;
  /** The path without the query string. */
  path: string;
  query: Record<string, string>;
  headers: IncomingHttpHeaders;
  /** Parsed JSON when the body was JSON, the raw text otherwise, undefined when empty. */
  body: unknown;
  /** Epoch ms when the request arrived. */
  receivedAt: number;
};

/** How a mock upstream answers one model ('*' = every model without its own behavior). */
export type MockBehavior = {
  /** Delay before anything is sent. */
  latencyMs?: number;
  /** Delay between streamed words. */
  tokenDelayMs?: number;
  /** Replaces the default `echo: ...` answer. */
  text?: string;
  /**
   * Replaces the computed token counts. `input` counts every prompt token, `cached` (cache
   * reads) and `cacheWrite` (cache writes, reported by Anthropic only) included, as OpenAI
   * reports them; Anthropic's `input_tokens` is then the rest.
   */
  usage?: { input: number; output: number; cached?: number; cacheWrite?: number };
  /** Leave usage out of the response (and the usage chunk out of the stream). */
  omitUsage?: boolean;
  /** Answer with this HTTP status and the dialect's error envelope. */
  status?: number;
  errorType?: string;
  errorMessage?: string;
  retryAfterSeconds?: number;
  retryAfterMs?: number;
  /** Apply the failure (status, stall, garbage, failAfterTokens) to this many calls, then behave normally. */
  failTimes?: number;
  /** Accept the request and never answer. */
  stall?: boolean;
  /** Streaming: cut the stream after N words (OpenAI: destroy the socket; Anthropic: `event: error`; Ollama: an error line). */
  failAfterTokens?: number;
  /** 200 with an unparsable body. */
  garbage?: boolean;
  /** Chaos: probability (0..1) that a call answers 500. */
  errorRate?: number;
  /** Chaos: probability (0..1) that a call stalls. */
  stallRate?: number;
  /** Chaos: up to this much extra latency, drawn from the seeded PRNG. */
  latencyJitterMs?: number;
  /** OpenAI chat: a prompt (the text of every message) longer than this many characters is refused with 400 `context_length_exceeded`. */
  maxPromptCharacters?: number;
  /** JSON text of a forced tool call's arguments (default `{}`). */
  toolArguments?: string;
};

export type MockUpstreamOptions = {
  /** 0 (default) picks a free port. */
  port?: number;
  /** Seeds the PRNG behind errorRate, stallRate and latencyJitterMs. */
  seed?: number;
  /** When set, requests must carry exactly this key (Bearer, `api-key` or `x-api-key`). */
  apiKey?: string;
  /** Keep a copy of every request in `requests` (default true; a benchmark turns it off). */
  record?: boolean;
  /** Ids listed by `GET /v1/models`. */
  models?: string[];
};

export type MockUpstream = {
  /** Base URL adapters are configured with (the OpenAI one includes `/v1`). */
  url: string;
  /** `http://127.0.0.1:PORT`, for routes outside `url` (Azure's `/openai/deployments/...`). */
  origin: string;
  port: number;
  requests: RecordedRequest[];
  /** Connections the client closed before the response ended. */
  readonly abortedRequests: number;
  /** Requests received whose response has not ended yet. */
  readonly inFlight: number;
  behave(model: string, behavior: MockBehavior): void;
  reset(): void;
  close(): Promise<void>;
};
