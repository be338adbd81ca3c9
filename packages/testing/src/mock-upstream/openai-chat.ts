// POST /v1/chat/completions in OpenAI's exact wire shapes (JSON, and SSE chunks ending
// with `data: [DONE]`).
import { applyPlan } from './apply-plan.ts';
import { answerChat, asArray, asNumber, asRecord, textsOf, type ChatAnswer, type ChatDigest } from './chat-answer.ts';
import type { MockExchange } from './mock-server.ts';
import { writeOpenAIContextLengthError, writeOpenAIError } from './openai-errors.ts';
import { sendFrames, writeJson, type Frame } from './wire.ts';

export function digestOpenAIChat(body: Record<string, unknown>, model: string): ChatDigest {
  const messagesText: string[] = [];
  let lastUserText = '';
  for (const message of asArray(body.messages)) {
    const { role, content } = asRecord(message);
    const texts = textsOf(content);
    messagesText.push(...texts);
    if (role === 'user') lastUserText = texts.join('');
  }
  return {
    model,
    messagesText,
    lastUserText,
    maxTokens: asNumber(body.max_completion_tokens) ?? asNumber(body.max_tokens),
    forcedTool: forcedToolOf(body),
  };
}

function forcedToolOf(body: Record<string, unknown>): string | undefined {
  const tools = asArray(body.tools);
  if (tools.length === 0) return undefined;
  const choice = body.tool_choice;
  if (choice === 'required') return String(asRecord(asRecord(tools[0]).function).name);
  const named = asRecord(asRecord(choice).function).name;
  return typeof named === 'string' ? named : undefined;
}

export async function handleOpenAIChat(exchange: MockExchange, model: string): Promise<void> {
  const body = asRecord(exchange.body);
  const plan = exchange.plan(model);
  if (!(await applyPlan(exchange, plan, (failure) => writeOpenAIError(exchange.response, failure)))) return;
  const stream = body.stream === true;
  if (plan.failure?.kind === 'garbage') {
    if (stream)
      await sendFrames(exchange, [{ text: 'data: {"id": "chatcmpl-garbage", "choices": [\n\n' }, { text: 'data: [DONE]\n\n' }], {
        contentType: 'text/event-stream',
        tokenDelayMs: 0,
        end: 'end',
      });
    else exchange.response.writeHead(200, { 'content-type': 'application/json' }).end('{"id": "chatcmpl-garbage", "choices": [');
    return;
  }
  const digest = digestOpenAIChat(body, model);
  const promptCharacters = digest.messagesText.join('').length;
  const limit = plan.behavior.maxPromptCharacters;
  if (limit !== undefined && promptCharacters > limit) {
    writeOpenAIContextLengthError(exchange.response, promptCharacters, limit);
    return;
  }
  const answer = answerChat(digest, plan.behavior);
  const ids = { id: exchange.nextId('chatcmpl-mock'), toolCallId: exchange.nextId('call_mock') };
  const omitUsage = plan.behavior.omitUsage === true;
  if (!stream) {
    writeJson(exchange.response, 200, completionBody(ids, model, answer, omitUsage));
    return;
  }
  const includeUsage = asRecord(body.stream_options).include_usage === true && !omitUsage;
  const cutAfter = plan.failure?.kind === 'cut' ? plan.failure.afterTokens : undefined;
  await sendFrames(exchange, chunkFrames(ids, model, answer, includeUsage, cutAfter), {
    contentType: 'text/event-stream',
    tokenDelayMs: plan.behavior.tokenDelayMs ?? 0,
    end: cutAfter === undefined ? 'end' : 'destroy',
  });
}

function finishReasonOf(answer: ChatAnswer): string {
  if (answer.toolCall) return 'tool_calls';
  return answer.truncated ? 'length' : 'stop';
}

export function openAIUsage(answer: { inputTokens: number; outputTokens: number; cachedTokens: number }) {
  return {
    prompt_tokens: answer.inputTokens,
    completion_tokens: answer.outputTokens,
    total_tokens: answer.inputTokens + answer.outputTokens,
    prompt_tokens_details: { cached_tokens: answer.cachedTokens, audio_tokens: 0 },
    completion_tokens_details: { reasoning_tokens: 0, audio_tokens: 0, accepted_prediction_tokens: 0, rejected_prediction_tokens: 0 },
  };
}

function completionBody({ id, toolCallId }: { id: string; toolCallId: string }, model: string, answer: ChatAnswer, omitUsage: boolean) {
  const message: Record<string, unknown> = { role: 'assistant', content: answer.toolCall ? null : answer.text, refusal: null, annotations: [] };
  if (answer.toolCall) message.tool_calls = [{ id: toolCallId, type: 'function', function: answer.toolCall }];
  return {
    id,
    object: 'chat.completion',
    created: Math.floor(Date.now() / 1000),
    model,
    choices: [{ index: 0, message, logprobs: null, finish_reason: finishReasonOf(answer) }],
    ...(omitUsage ? {} : { usage: openAIUsage(answer) }),
    service_tier: 'default',
    system_fingerprint: 'fp_mock',
  };
}

function chunkFrames(
  { id, toolCallId }: { id: string; toolCallId: string },
  model: string,
  answer: ChatAnswer,
  includeUsage: boolean,
  cutAfter: number | undefined,
): Frame[] {
  const created = Math.floor(Date.now() / 1000);
  const frame = (choices: unknown[], extra: Record<string, unknown> = {}, token = false): Frame => ({
    text: `data: ${JSON.stringify({ id, object: 'chat.completion.chunk', created, model, service_tier: 'default', system_fingerprint: 'fp_mock', choices, ...(includeUsage ? { usage: null } : {}), ...extra })}\n\n`,
    token,
  });
  const choice = (delta: Record<string, unknown>, finishReason: string | null = null) => ({ index: 0, delta, logprobs: null, finish_reason: finishReason });

  const frames: Frame[] = [];
  if (answer.toolCall) {
    frames.push(
      frame([
        choice({
          role: 'assistant',
          content: null,
          tool_calls: [{ index: 0, id: toolCallId, type: 'function', function: { name: answer.toolCall.name, arguments: '' } }],
          refusal: null,
        }),
      ]),
    );
  } else {
    frames.push(frame([choice({ role: 'assistant', content: '', refusal: null })]));
  }
  const pieces = cutAfter === undefined ? answer.pieces : answer.pieces.slice(0, cutAfter);
  for (const piece of pieces) {
    const delta = answer.toolCall ? { tool_calls: [{ index: 0, function: { arguments: piece } }] } : { content: piece };
    frames.push(frame([choice(delta)], {}, true));
  }
  if (cutAfter !== undefined) return frames;
  frames.push(frame([choice({}, finishReasonOf(answer))]));
  if (includeUsage) frames.push(frame([], { usage: openAIUsage(answer) }));
  frames.push({ text: 'data: [DONE]\n\n' });
  return frames;
}
