// What differs between OpenAI-dialect servers. A provider picks its preset by
// `options.preset`, else by its own name; any field can also be set in `options`.
import { z } from 'zod';

export type OpenAIPreset = {
  /** Used when the config gives no baseUrl. */
  baseUrl?: string;
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
  vllm: { baseUrl: 'http://localhost:8000/v1' },
  llamacpp: { baseUrl: 'http://localhost:8080/v1' },
  // Ollama's OpenAI-compatible endpoint; the native API is the `ollama` kind.
  'ollama-openai': { baseUrl: 'http://localhost:11434/v1' },
  huggingface: { baseUrl: 'https://router.huggingface.co/v1', embeddings: false, completions: false },
  // RunPod serves each endpoint at https://api.runpod.ai/v2/<endpoint-id>/openai/v1: set baseUrl.
  runpod: {},
};

const overridesSchema = z.object({
  preset: z.string().optional(),
  maxTokensField: z.enum(['max_tokens', 'max_completion_tokens']).optional(),
  tools: z.boolean().optional(),
  embeddings: z.boolean().optional(),
  completions: z.boolean().optional(),
});

export function resolvePreset(name: string, options: Record<string, unknown>): OpenAIPreset {
  const parsed = overridesSchema.safeParse(options);
  if (!parsed.success) throw new Error(`provider ${name}: invalid options: ${parsed.error.issues.map((issue) => `${issue.path.join('.')} ${issue.message}`).join('; ')}`);
  const { preset, ...overrides } = parsed.data;
  const presetName = preset ?? name;
  if (preset !== undefined && !(preset in openAIPresets)) throw new Error(`provider ${name}: unknown preset ${preset}`);
  const defined = Object.fromEntries(Object.entries(overrides).filter(([, value]) => value !== undefined));
  return { ...openAIPresets[presetName], ...defined };
}
