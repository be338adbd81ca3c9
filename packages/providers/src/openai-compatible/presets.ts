// What differs between OpenAI-dialect servers. A provider picks its preset by
// `options.preset`, else by its own name; any field can also be set in `options`.
import { z } from 'zod';
import { parseOptions, ProviderOptionsError } from '../provider-options.ts';

export type OpenAIPreset = {
  /** Used when the config gives no baseUrl (`<NAME>_BASE_URL` or `baseUrl` win). */
  baseUrl?: string;
  /** A server of your own: it takes no key, and `baseUrl` is only where it usually listens locally. */
  selfHosted?: boolean;
  /** OpenAI's newer models reject `max_tokens`. */
  maxTokensField?: 'max_tokens' | 'max_completion_tokens';
  /** Servers that refuse tool definitions. */
  tools?: boolean;
  embeddings?: boolean;
  completions?: boolean;
};

export const openAIPresets: Record<string, OpenAIPreset> = {
  openai: { baseUrl: 'https://api.openai.com/v1', maxTokensField: 'max_completion_tokens' },
  xai: { baseUrl: 'https://api.x.ai/v1' },
  perplexity: { baseUrl: 'https://api.perplexity.ai', tools: false, embeddings: false, completions: false },
  vllm: { baseUrl: 'http://localhost:8000/v1', selfHosted: true },
  llamacpp: { baseUrl: 'http://localhost:8080/v1', selfHosted: true },
  // Ollama's OpenAI-compatible endpoint; the native API is the `ollama` kind.
  'ollama-openai': { baseUrl: 'http://localhost:11434/v1', selfHosted: true },
  huggingface: { baseUrl: 'https://router.huggingface.co/v1', embeddings: false, completions: false },
  // RunPod serves each endpoint at https://api.runpod.ai/v2/<endpoint-id>/openai/v1: set baseUrl.
  runpod: {},
};

const overridesSchema = z.strictObject({
  preset: z.string().optional(),
  maxTokensField: z.enum(['max_tokens', 'max_completion_tokens']).optional(),
  tools: z.boolean().optional(),
  embeddings: z.boolean().optional(),
  completions: z.boolean().optional(),
});

export function resolvePreset(name: string, options: Record<string, unknown>): OpenAIPreset {
  const { preset, ...overrides } = parseOptions(overridesSchema, options);
  const presetName = preset ?? name;
  if (preset !== undefined && !(preset in openAIPresets)) {
    throw new ProviderOptionsError(['preset'], `unknown preset "${preset}" (one of ${Object.keys(openAIPresets).join(', ')})`);
  }
  const defined = Object.fromEntries(Object.entries(overrides).filter(([, value]) => value !== undefined));
  return { ...openAIPresets[presetName], ...defined };
}
