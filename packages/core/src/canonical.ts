// The canonical request, response and stream-part shapes. Every ingress format is
// translated into these, every provider adapter speaks them, and the api renders them
// back into the format the client called with.

export type TextPart = { type: 'text'; text: string };
export type ImagePart = {
  type: 'image';
  source: { type: 'url'; url: string } | { type: 'base64'; mediaType: string; data: string };
};
export type ContentPart = TextPart | ImagePart;

/** A tool call made by the model. `arguments` is the JSON text as the model produced it. */
export type ToolCall = { id: string; name: string; arguments: string };

export type SystemMessage = { role: 'system'; content: string };
export type UserMessage = { role: 'user'; content: ContentPart[] };
export type AssistantMessage = { role: 'assistant'; content: ContentPart[]; toolCalls?: ToolCall[] };
export type ToolResultMessage = { role: 'tool'; toolCallId: string; content: ContentPart[]; isError?: boolean };
export type CanonicalMessage = SystemMessage | UserMessage | AssistantMessage | ToolResultMessage;

export type ToolDefinition = { name: string; description?: string; parameters: Record<string, unknown> };
export type ToolChoice = 'auto' | 'none' | 'required' | { type: 'tool'; name: string };

export type ChatRequest = {
  /** The upstream model id of the route being called (set by routing, not the public name). */
  model: string;
  /** System prompts stay in place as `role: 'system'` messages; adapters hoist them if needed. */
  messages: CanonicalMessage[];
  maxTokens?: number;
  temperature?: number;
  topP?: number;
  stop?: string[];
  tools?: ToolDefinition[];
  toolChoice?: ToolChoice;
  parallelToolCalls?: boolean;
  seed?: number;
  user?: string;
  /** OpenAI's -2..2 penalties; providers without them refuse a non-zero value rather than drop it. */
  presencePenalty?: number;
  frequencyPenalty?: number;
  /** Token id (as a decimal string) -> bias in -100..100; only OpenAI-dialect providers honour it. */
  logitBias?: Record<string, number>;
  /** JSON mode / structured output, passed to providers that understand it. */
  responseFormat?: { type: 'text' } | { type: 'json_object' } | { type: 'json_schema'; schema: Record<string, unknown>; name?: string };
};

export type FinishReason = 'stop' | 'length' | 'tool_calls' | 'content_filter' | 'error' | 'other';

export type Usage = {
  /** Every prompt token, cache reads and cache writes included (as OpenAI's `prompt_tokens`). */
  inputTokens: number;
  outputTokens: number;
  /** Input tokens served from the provider's prompt cache, where reported. */
  cachedInputTokens?: number;
  /** Input tokens written to the provider's prompt cache (billed above the input price), where reported. */
  cacheWriteInputTokens?: number;
  /** True when the provider reported no usage and the numbers are our estimate. */
  estimated?: boolean;
  /** Images generated (`/v1/images/generations`), billed per image. */
  images?: number;
};

export type ChatResponse = {
  /** The provider's response id, when it gave one. */
  id?: string;
  /** The model that actually answered, as the provider named it. */
  model: string;
  content: ContentPart[];
  toolCalls: ToolCall[];
  finishReason: FinishReason;
  /** The stop sequence that ended the answer (finishReason is then 'stop'), where the provider says which. */
  stopSequence?: string;
  usage: Usage;
};

export type StreamPart =
  | { type: 'text-delta'; text: string }
  | { type: 'tool-call-start'; index: number; id: string; name: string }
  | { type: 'tool-call-delta'; index: number; argumentsDelta: string }
  | { type: 'finish'; finishReason: FinishReason; stopSequence?: string; usage: Usage; model?: string; id?: string }
  | { type: 'error'; error: { code: string; message: string; retryable?: boolean } };

export type EmbeddingsRequest = {
  model: string;
  input: string[];
  dimensions?: number;
  user?: string;
};

export type EmbeddingsResponse = {
  model: string;
  embeddings: number[][];
  usage: Usage;
};

/** Legacy text completion (`/v1/completions`), only for providers that still serve it. */
export type CompletionRequest = {
  model: string;
  prompt: string;
  maxTokens?: number;
  temperature?: number;
  topP?: number;
  stop?: string[];
  seed?: number;
  user?: string;
  presencePenalty?: number;
  frequencyPenalty?: number;
  logitBias?: Record<string, number>;
};

export type CompletionResponse = {
  id?: string;
  model: string;
  text: string;
  finishReason: FinishReason;
  usage: Usage;
};

/** An image generation (`/v1/images/generations`): `n` images for one prompt. */
export type ImageRequest = {
  model: string;
  prompt: string;
  n: number;
  size?: string;
  quality?: string;
  style?: string;
  user?: string;
  /** gpt-image models' knobs, passed on as given: `png | jpeg | webp`, `transparent | opaque | auto`, `low | auto`, 0..100. */
  outputFormat?: string;
  background?: string;
  moderation?: string;
  outputCompression?: number;
  /** How the client wants each image: a URL or the bytes inline; absent leaves it to the model. */
  responseFormat?: 'url' | 'b64_json';
};

/** One generated image, as the provider gave it: a URL or base64 bytes. */
export type GeneratedImage = { url?: string; b64Json?: string; revisedPrompt?: string };

export type ImageResponse = {
  model: string;
  images: GeneratedImage[];
  /** `images` counts what is billed; tokens where the provider reported them (gpt-image-1 does). */
  usage: Usage;
};

export function textOf(content: ContentPart[]): string {
  let text = '';
  for (const part of content) if (part.type === 'text') text += part.text;
  return text;
}
