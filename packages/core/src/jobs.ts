// The job catalog: what travels on the inference queues, what a finished job reports,
// and what the worker publishes on a request's reply channel.
import type { ChatRequest, CompletionRequest, EmbeddingsRequest, ImageRequest, StreamPart, Usage } from './canonical.ts';
import type { CondensationChoice, CondensedAs } from './condensation.ts';
import type { ErrorBody } from './errors.ts';

export const inferenceEndpoints = ['/v1/chat/completions', '/v1/messages', '/v1/embeddings', '/v1/completions', '/v1/images/generations'] as const;
export type InferenceEndpoint = (typeof inferenceEndpoints)[number];

export type JobMode = 'sync' | 'async' | 'batch';

/** BullMQ priorities: lower runs first. Sync chat before async jobs before batch lines. */
export const priorityByMode: Record<JobMode, number> = { sync: 1, async: 5, batch: 10 };

export type JobStatus = 'queued' | 'in_progress' | 'completed' | 'failed' | 'cancelled' | 'expired';

/** One step of a request's fallback chain: which provider queue and which upstream model. */
export type Route = {
  provider: string;
  /** Catalog id of the model (what `x-switchyard-model` reports). */
  model: string;
  /** The id the provider knows the model by. */
  upstreamModel: string;
};

export type CanonicalCall =
  | { kind: 'chat'; request: ChatRequest }
  | { kind: 'embeddings'; request: EmbeddingsRequest; encodingFormat?: 'float' | 'base64' }
  | { kind: 'completion'; request: CompletionRequest }
  | { kind: 'image'; request: ImageRequest };

export type InferenceJobData = {
  requestId: string;
  orgId: string;
  keyId: string;
  endpoint: InferenceEndpoint;
  mode: JobMode;
  stream: boolean;
  /** OpenAI `stream_options.include_usage`, so the renderer knows whether to send the usage chunk. */
  includeUsage?: boolean;
  /** The model name the client asked for (an alias stays an alias here). */
  requestedModel: string;
  call: CanonicalCall;
  routes: Route[];
  routeIndex: number;
  /** Attempts spent on earlier routes of the chain (for `x-switchyard-attempts`). */
  priorAttempts?: number;
  /** Reply channel of the api process waiting for this request, if any. */
  replyTo?: string;
  createdAt: number;
  /** Absolute epoch ms; a job picked up after it is expired without calling upstream. */
  deadline: number;
  metadata?: Record<string, string>;
  /** The job's own webhook destination, checked when the job was created. */
  webhookUrl?: string;
  /** The event types `webhookUrl` receives; absent means every `job.*` type. */
  webhookEvents?: string[];
  /** Routes of the chain skipped before queueing (circuit open): the chain is longer than `routes`. */
  skippedRoutes?: number;
  /** Set on a batch line (mode `batch`): its batch and the line's `custom_id`. */
  batchId?: string;
  customId?: string;
  /** The request's own context condensation (`x-switchyard-condense`), over the model's setting. */
  condense?: CondensationChoice;
  /** W3C trace context (`traceparent`, `tracestate`) of the api span that queued the job, when tracing is on. */
  trace?: Record<string, string>;
};

export type FinishedStatus = 'completed' | 'failed' | 'cancelled' | 'expired';

/** What a worker leaves as the BullMQ return value of every job it finishes. */
export type JobOutcome = {
  status: FinishedStatus | 'forwarded';
  /** The body the endpoint returns, in the endpoint's own format. */
  output?: unknown;
  error?: ErrorBody;
  /** Job id of the next route's job when `status` is `forwarded`. */
  forwardedTo?: string;
  provider?: string;
  model?: string;
  attempts: number;
  usage?: Usage;
  /** The request was condensed to fit the model's context before the call that answered it. */
  condensed?: CondensedAs;
  startedAt?: number;
  completedAt: number;
};

/** Published on `replyTo` when a request reaches a final state. */
export type ReplyMessage = {
  kind: 'result';
  requestId: string;
  jobId: string;
  status: FinishedStatus;
  output?: unknown;
  error?: ErrorBody;
  provider?: string;
  model?: string;
  attempts: number;
  queueMs?: number;
  usage?: Usage;
  /** For `x-switchyard-condensed`. */
  condensed?: CondensedAs;
  startedAt?: number;
  completedAt?: number;
  /** A large reply travels by reference: the key holding the full message (output included). */
  storedAt?: string;
};

/** Published on `replyTo` for live token delivery; the same parts go to `stream:<requestId>`. */
export type StreamMessage = {
  kind: 'parts';
  requestId: string;
  /** Sequence number of the first part in `parts` (1-based, increasing). */
  seq: number;
  parts: StreamPart[];
  /** Catalog id of the model serving the stream (x-switchyard-model); on the message carrying seq 1. */
  model?: string;
};

export type BusMessage = ReplyMessage | StreamMessage;

export function routeJobId(requestId: string, routeIndex: number): string {
  return routeIndex === 0 ? requestId : `${requestId}-r${routeIndex}`;
}
