// Upstream: an OpenAI `chat.completion` body -> a canonical ChatResponse.
import type { ChatResponse, ContentPart } from '@switchyard/core';
import { GatewayError } from '@switchyard/core';
import { z } from 'zod';
import { unreportedUsage } from '../shared/usage.ts';
import { fromOpenAIFinishReason } from './finish-reason.ts';
import { fromOpenAIUsage, openAIUsageSchema } from './usage.ts';

const contentSchema = z.union([z.string(), z.array(z.object({ type: z.string(), text: z.string().nullish() }))]).nullish();

const responseSchema = z.object({
  id: z.string().nullish(),
  model: z.string().nullish(),
  choices: z
    .array(
      z.object({
        message: z.object({
          content: contentSchema,
          refusal: z.string().nullish(),
          tool_calls: z.array(z.object({ id: z.string().nullish(), function: z.object({ name: z.string(), arguments: z.string().nullish() }) })).nullish(),
        }),
        finish_reason: z.string().nullish(),
      }),
    )
    .min(1),
  usage: openAIUsageSchema.nullish(),
});

function contentText(content: z.infer<typeof contentSchema>): string {
  if (typeof content === 'string') return content;
  return (content ?? []).map((part) => (part.type === 'text' ? (part.text ?? '') : '')).join('');
}

export function fromOpenAIChatResponse(body: unknown): ChatResponse {
  const parsed = responseSchema.safeParse(body);
  if (!parsed.success) throw new GatewayError('upstream_error', 'upstream returned an unreadable response');
  const { id, model, choices, usage } = parsed.data;
  const [choice] = choices as [(typeof choices)[number]];
  // A refusal is the only text the user will get, so it is kept as the answer.
  const text = contentText(choice.message.content) || (choice.message.refusal ?? '');
  const content: ContentPart[] = text === '' ? [] : [{ type: 'text', text }];
  const toolCalls = (choice.message.tool_calls ?? []).map((call, index) => ({
    id: call.id ?? `call_${index}`,
    name: call.function.name,
    arguments: call.function.arguments ?? '',
  }));
  const response: ChatResponse = {
    model: model ?? '',
    content,
    toolCalls,
    finishReason: fromOpenAIFinishReason(choice.finish_reason),
    usage: usage ? fromOpenAIUsage(usage) : unreportedUsage(),
  };
  if (id) response.id = id;
  return response;
}
