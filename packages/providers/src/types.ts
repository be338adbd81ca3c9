// The one small interface every provider adapter implements. Adapters only do HTTP
// (through the injected undici dispatcher); they never touch Redis or Postgres.
import type { Dispatcher } from 'undici';
import type {
  ChatRequest,
  ChatResponse,
  CompletionRequest,
  CompletionResponse,
  EmbeddingsRequest,
  EmbeddingsResponse,
  ImageRequest,
  ImageResponse,
  StreamPart,
} from '@switchyard/core';

export type CallOptions = {
  /** Aborts the upstream request (client disconnect, cancel, deadline, shutdown). */
  signal: AbortSignal;
  /** Per-model knobs from the catalog (`models.<id>.options`), e.g. the mock's latency. */
  modelOptions?: Record<string, unknown>;
};

/** One entry of an upstream's own model list (OpenAI `GET /models`, Ollama `/api/tags`). */
export type UpstreamModel = { id: string; ownedBy?: string; created?: number };

export interface ProviderAdapter {
  readonly name: string;
  /** Non-streaming chat. Throws ProviderError (from @switchyard/core) on failure. */
  generate(request: ChatRequest, options: CallOptions): Promise<ChatResponse>;
  /**
   * Streaming chat: yields typed parts and ends with exactly one `finish` part carrying
   * usage. A chunk that fails to parse becomes an `error` part; transport and HTTP
   * failures before the first part throw ProviderError.
   */
  stream(request: ChatRequest, options: CallOptions): AsyncIterable<StreamPart>;
  /** Absent when the provider has no embeddings endpoint. */
  embed?(request: EmbeddingsRequest, options: CallOptions): Promise<EmbeddingsResponse>;
  /** Absent when the provider has no legacy completions endpoint. */
  complete?(request: CompletionRequest, options: CallOptions): Promise<CompletionResponse>;
  /** Absent when the provider cannot generate images (`/v1/images/generations`). */
  generateImages?(request: ImageRequest, options: CallOptions): Promise<ImageResponse>;
  /** The upstream's own model list; absent when the adapter has none (Anthropic's `GET /v1/models` is not read yet). */
  listModels?(options: { signal: AbortSignal }): Promise<UpstreamModel[]>;
}

export type ProviderDependencies = {
  /**
   * Carries every upstream request (tests pass a MockAgent or their own Agent); defaults to
   * a keep-alive Agent of the adapter's own.
   */
  dispatcher?: Dispatcher;
};
