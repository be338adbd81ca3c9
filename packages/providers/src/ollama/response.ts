// Ollama's native chat answers (a whole response or one NDJSON line) -> canonical pieces.
import { newId, normalizeUsage, type FinishReason, type ToolCall, type Usage } from '@switchyard/core';
import { z } from 'zod';

export const chatLineSchema = z.object({
  model: z.string().nullish(),
  message: z
    .object({
      content: z.string().nullish(),
      tool_calls: z.array(z.object({ id: z.string().nullish(), function: z.object({ name: z.string(), arguments: z.unknown() }) })).nullish(),
    })
    .nullish(),
  done: z.boolean().nullish(),
  done_reason: z.string().nullish(),
  prompt_eval_count: z.number().nullish(),
  eval_count: z.number().nullish(),
  error: z.string().nullish(),
});

export type ChatLine = z.infer<typeof chatLineSchema>;

/**
 * Ollama gives tool arguments as an object and (mostly) no ids: we make JSON text and a
 * random id, unique across the conversation, since clients match results to calls by id
 * and we map a result back to its tool's name by it.
 */
export function toolCallsOf(line: ChatLine): ToolCall[] {
  return (line.message?.tool_calls ?? []).map((call) => ({
    id: call.id || newId('call'),
    name: call.function.name,
    arguments: typeof call.function.arguments === 'string' ? call.function.arguments : JSON.stringify(call.function.arguments ?? {}),
  }));
}

export function finishReasonOf(doneReason: string | null | undefined, madeToolCalls: boolean): FinishReason {
  if (madeToolCalls) return 'tool_calls';
  if (doneReason === 'stop') return 'stop';
  if (doneReason === 'length') return 'length';
  return 'other';
}

export function usageOf(line: ChatLine): Usage {
  if (line.prompt_eval_count == null && line.eval_count == null) return { inputTokens: 0, outputTokens: 0, estimated: true };
  return normalizeUsage({ inputTokens: line.prompt_eval_count ?? 0, outputTokens: line.eval_count ?? 0 });
}
