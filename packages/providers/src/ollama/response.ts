// Ollama's native chat answers (a whole response or one NDJSON line) -> canonical pieces.
import type { FinishReason, ToolCall, Usage } from '@switchyard/core';
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

/** Ollama gives tool arguments as an object and no ids: we make JSON text and `call_<n>`. */
export function toolCallsOf(line: ChatLine, firstIndex: number): ToolCall[] {
  return (line.message?.tool_calls ?? []).map((call, offset) => ({
    id: call.id || `call_${firstIndex + offset}`,
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
  return { inputTokens: line.prompt_eval_count ?? 0, outputTokens: line.eval_count ?? 0 };
}
