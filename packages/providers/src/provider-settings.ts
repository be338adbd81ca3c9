// What an adapter needs to know about its provider. The config package produces these
// (with more fields of its own, queue limits and breakers, that adapters never read).

export const providerKinds = ['openai-compatible', 'anthropic', 'azure-openai', 'ollama', 'mock'] as const;
export type ProviderKind = (typeof providerKinds)[number];

export type ProviderSettings = {
  name: string;
  kind: ProviderKind;
  baseUrl?: string;
  apiKey?: string;
  /** Azure OpenAI `api-version`; Anthropic `anthropic-version`. */
  apiVersion?: string;
  headers: Record<string, string>;
  timeoutMs: number;
  /** Connections to the upstream per process (undici `connections`); unset = no limit. */
  maxConnections?: number;
  /** Idle kept-alive connections close after this long (undici `keepAliveTimeout`). */
  keepAliveTimeoutMs?: number;
  /** Largest response body read from the upstream, in bytes (default 32 MiB). */
  maxResponseBytes?: number;
  /** Provider-specific knobs, checked by `providerDefaults` (the mock's latency, a preset). */
  options: Record<string, unknown>;
};
