// The seed catalog: providers, models with list prices (USD per million tokens), aliases
// and fallback chains. A YAML file (SWITCHYARD_CONFIG) adds to or overrides any of it.

// Base URLs, API versions and whether a key is needed come from the kind or its preset
// (@switchyard/providers: provider-defaults.ts, openai-compatible/presets.ts).
export const seedProviders = {
  openai: { kind: 'openai-compatible' },
  anthropic: { kind: 'anthropic' },
  xai: { kind: 'openai-compatible' },
  perplexity: { kind: 'openai-compatible' },
  // Enabled by AZURE_OPENAI_BASE_URL=https://<resource>.openai.azure.com and a key.
  'azure-openai': { kind: 'azure-openai' },
  // Self-hosted servers need no key; these are enabled by setting their base URL.
  ollama: { kind: 'ollama' },
  vllm: { kind: 'openai-compatible' },
  llamacpp: { kind: 'openai-compatible' },
  'ollama-openai': { kind: 'openai-compatible' },
  huggingface: { kind: 'openai-compatible' },
  // RunPod serves each endpoint at https://api.runpod.ai/v2/<endpoint-id>/openai/v1: set RUNPOD_BASE_URL.
  runpod: { kind: 'openai-compatible' },
  mock: { kind: 'mock', enabled: true, concurrency: 256 },
} as const;

// Anthropic bills cache reads and 5-minute cache writes apart from plain input.
const claude = (
  upstreamModel: string,
  input: string,
  output: string,
  cachedInput: string,
  cacheWrite: string,
  maxOutputTokens: number,
  fallbacks: string[] = [],
  contextLength = 200_000,
) => ({
  provider: 'anthropic',
  upstreamModel,
  pricing: { input, output, cachedInput, cacheWrite },
  contextLength,
  maxOutputTokens,
  capabilities: { vision: true },
  fallbacks,
});

export const seedModels = {
  // OpenAI's current line (list prices for prompts up to 272K input tokens; longer ones bill more upstream).
  // GPT-6.1 Sol takes no function calls on Chat Completions (the endpoint this gateway calls).
  'gpt-6.1-sol': {
    provider: 'openai',
    pricing: { input: '2.00', output: '10.00', cachedInput: '0.10', cacheWrite: '2.50' },
    contextLength: 1_050_000,
    maxOutputTokens: 128_000,
    capabilities: { vision: true, tools: false },
  },
  'gpt-6.1-terra': {
    provider: 'openai',
    pricing: { input: '1.00', output: '5.00', cachedInput: '0.05', cacheWrite: '1.25' },
    contextLength: 1_050_000,
    maxOutputTokens: 128_000,
    capabilities: { vision: true },
  },
  'gpt-4o': {
    provider: 'openai',
    pricing: { input: '2.50', output: '10.00', cachedInput: '1.25' },
    contextLength: 128_000,
    maxOutputTokens: 16_384,
    capabilities: { vision: true },
  },
  'gpt-4o-mini': {
    provider: 'openai',
    pricing: { input: '0.15', output: '0.60', cachedInput: '0.075' },
    contextLength: 128_000,
    maxOutputTokens: 16_384,
    capabilities: { vision: true },
  },
  'gpt-4-turbo': {
    provider: 'openai',
    pricing: { input: '10.00', output: '30.00' },
    contextLength: 128_000,
    maxOutputTokens: 4096,
    capabilities: { vision: true },
  },
  'gpt-3.5-turbo': {
    provider: 'openai',
    pricing: { input: '0.50', output: '1.50' },
    contextLength: 16_385,
    maxOutputTokens: 4096,
    capabilities: { completions: true },
  },
  'text-embedding-3-small': {
    provider: 'openai',
    pricing: { input: '0.02', output: '0' },
    contextLength: 8191,
    maxOutputTokens: 1,
    capabilities: { chat: false, streaming: false, tools: false, embeddings: true },
  },
  'text-embedding-3-large': {
    provider: 'openai',
    pricing: { input: '0.13', output: '0' },
    contextLength: 8191,
    maxOutputTokens: 1,
    capabilities: { chat: false, streaming: false, tools: false, embeddings: true },
  },
  // OpenAI's list price for a standard-quality 1024x1024 image; HD and larger sizes cost
  // more upstream, which this one price per image does not model.
  'dall-e-3': {
    provider: 'openai',
    pricing: { input: '0', output: '0', image: '0.04' },
    contextLength: 4000,
    maxOutputTokens: 1,
    capabilities: { chat: false, streaming: false, tools: false, images: true },
  },

  // Anthropic's current line: 1M-token context, 128K output.
  // Sonnet 5.5 cache reads were cut from 0.20 to 0.10 on 2026-10-07.
  'claude-sonnet-5-5': claude('claude-sonnet-5-5', '2.00', '10.00', '0.10', '2.50', 128_000, ['gpt-6.1-terra'], 1_000_000),
  'claude-opus-5-5': claude('claude-opus-5-5', '4.00', '20.00', '0.20', '5.00', 128_000, ['claude-sonnet-5-5', 'gpt-6.1-terra'], 1_000_000),
  // Prices for prompts up to 100K tokens; Anthropic bills longer prompts at 5x, which this flat price does not model.
  'claude-haiku-5-5': claude('claude-haiku-5-5', '0.10', '0.50', '0.01', '0.125', 128_000, ['claude-haiku-4-5', 'gpt-6.1-terra'], 1_000_000),
  // Claude Sonnet 4.5 reached end-of-life on 2026-11-30; kept so that old configs still load.
  'claude-sonnet-4-5': claude('claude-sonnet-4-5-20250929', '3.00', '15.00', '0.30', '3.75', 64_000, ['claude-sonnet-4', 'claude-3-7-sonnet', 'gpt-4o']),
  'claude-haiku-4-5': claude('claude-haiku-4-5-20251001', '1.00', '5.00', '0.10', '1.25', 64_000, ['claude-3-5-haiku', 'claude-3-haiku', 'gpt-4o-mini']),
  'claude-opus-4-1': claude('claude-opus-4-1-20250805', '15.00', '75.00', '1.50', '18.75', 32_000, ['claude-opus-4', 'claude-3-opus', 'gpt-4o']),
  'claude-opus-4': claude('claude-opus-4-20250514', '15.00', '75.00', '1.50', '18.75', 32_000),
  'claude-sonnet-4': claude('claude-sonnet-4-20250514', '3.00', '15.00', '0.30', '3.75', 64_000),
  'claude-3-7-sonnet': claude('claude-3-7-sonnet-20250219', '3.00', '15.00', '0.30', '3.75', 64_000),
  'claude-3-5-sonnet': claude('claude-3-5-sonnet-20241022', '3.00', '15.00', '0.30', '3.75', 8192),
  'claude-3-5-haiku': claude('claude-3-5-haiku-20241022', '0.80', '4.00', '0.08', '1.00', 8192),
  'claude-3-opus': claude('claude-3-opus-20240229', '15.00', '75.00', '1.50', '18.75', 4096),
  // Claude 3 Haiku's list price for cache writes is 0.30, not 1.25 × 0.25.
  'claude-3-haiku': claude('claude-3-haiku-20240307', '0.25', '1.25', '0.03', '0.30', 4096),

  'grok-4': {
    provider: 'xai',
    pricing: { input: '3.00', output: '15.00', cachedInput: '0.75' },
    contextLength: 256_000,
    maxOutputTokens: 32_768,
    capabilities: { vision: true },
  },
  'grok-3': { provider: 'xai', pricing: { input: '3.00', output: '15.00' }, contextLength: 131_072, maxOutputTokens: 16_384 },
  'grok-3-mini': { provider: 'xai', pricing: { input: '0.30', output: '0.50' }, contextLength: 131_072, maxOutputTokens: 16_384 },
  sonar: { provider: 'perplexity', pricing: { input: '1.00', output: '1.00' }, contextLength: 127_072, maxOutputTokens: 8192, capabilities: { tools: false } },
  'sonar-pro': {
    provider: 'perplexity',
    pricing: { input: '3.00', output: '15.00' },
    contextLength: 200_000,
    maxOutputTokens: 8192,
    capabilities: { tools: false },
  },

  // Self-hosted examples: free per token; enable with OLLAMA_BASE_URL / VLLM_BASE_URL.
  'llama3.2': { provider: 'ollama', contextLength: 131_072, maxOutputTokens: 4096 },
  'qwen2.5': { provider: 'ollama', contextLength: 32_768, maxOutputTokens: 4096 },
  'llama-3.1-8b-instruct': { provider: 'vllm', upstreamModel: 'meta-llama/Llama-3.1-8B-Instruct', contextLength: 131_072, maxOutputTokens: 4096 },

  // The built-in mock: deterministic answers, priced so the ledger has something to count.
  'mock-fast': {
    provider: 'mock',
    pricing: { input: '1.00', output: '2.00' },
    contextLength: 32_768,
    maxOutputTokens: 4096,
    capabilities: { vision: true, completions: true },
  },
  'mock-slow': {
    provider: 'mock',
    pricing: { input: '1.00', output: '2.00' },
    contextLength: 32_768,
    maxOutputTokens: 4096,
    options: { latencyMs: 1500, tokenDelayMs: 25 },
  },
  'mock-embed': {
    provider: 'mock',
    pricing: { input: '0.02', output: '0' },
    contextLength: 8191,
    maxOutputTokens: 1,
    capabilities: { chat: false, streaming: false, tools: false, embeddings: true },
  },
  // A small deterministic PNG per image, so image generation works with no key.
  'mock-image': {
    provider: 'mock',
    pricing: { input: '0', output: '0', image: '0.02' },
    contextLength: 4000,
    maxOutputTokens: 1,
    capabilities: { chat: false, streaming: false, tools: false, images: true },
  },
} as const;

// Clients often send the dated id the provider lists (claude-sonnet-4-5-20250929) or the
// provider's own alias for it: both name a catalog model.
const upstreamAliases: Record<string, string> = Object.fromEntries(
  Object.entries(seedModels).flatMap(([id, model]) => ('upstreamModel' in model && model.upstreamModel !== id ? [[model.upstreamModel, id]] : [])),
);

export const seedAliases: Record<string, string> = {
  ...upstreamAliases,
  'claude-3-5-sonnet-latest': 'claude-3-5-sonnet',
  'claude-3-7-sonnet-latest': 'claude-3-7-sonnet',
  'claude-3-5-haiku-latest': 'claude-3-5-haiku',
  'claude-3-opus-latest': 'claude-3-opus',
  'claude-sonnet-4-0': 'claude-sonnet-4',
  'claude-opus-4-0': 'claude-opus-4',
  // The "latest" names follow each family's current model.
  'claude-sonnet': 'claude-sonnet-5-5',
  'claude-haiku': 'claude-haiku-4-5',
  'claude-opus': 'claude-opus-5-5',
  claude: 'claude-sonnet-5-5',
  fast: 'claude-haiku-4-5',
  cheap: 'gpt-4o-mini',
  smart: 'claude-sonnet-5-5',
  powerful: 'claude-opus-5-5',
};
