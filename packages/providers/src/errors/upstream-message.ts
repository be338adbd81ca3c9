import { z } from 'zod';

// The three error envelopes we meet: OpenAI `{error: {message, type, code}}`, Anthropic
// `{type: 'error', error: {type, message}}`, Ollama and others `{error: "text"}`.
const envelopeSchema = z.object({
  error: z.union([z.string(), z.object({ message: z.string().nullish(), type: z.string().nullish(), code: z.union([z.string(), z.number()]).nullish() })]),
});

export type UpstreamMessage = { message: string; type?: string; code?: string };

/** The provider's error message and type from an error body; the raw text when it has no known envelope. */
export function readUpstreamMessage(bodyText: string): UpstreamMessage {
  let json: unknown;
  try {
    json = JSON.parse(bodyText);
  } catch {
    return { message: bodyText };
  }
  const parsed = envelopeSchema.safeParse(json);
  if (!parsed.success) return { message: bodyText };
  const { error } = parsed.data;
  if (typeof error === 'string') return { message: error };
  const code = typeof error.code === 'string' ? error.code : undefined;
  const type = error.type ?? code;
  return { message: error.message ?? bodyText, ...(type ? { type } : {}), ...(code ? { code } : {}) };
}
