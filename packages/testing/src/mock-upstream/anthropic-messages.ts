// POST /v1/messages in Anthropic's exact wire shapes: JSON, and the SSE event sequence
// message_start, content_block_start, ping, content_block_delta..., content_block_stop,
// message_delta (usage), message_stop.
import { anthropicErrorType, writeAnthropicError } from './anthropic-errors.ts';
import { applyPlan } from './apply-plan.ts';
import { answerChat, asArray, asNumber, asRecord, textsOf, type ChatAnswer, type ChatDigest } from './chat-answer.ts';
import type { MockExchange } from './mock-server.ts';
import { sendFrames, writeJson, type Frame } from './wire.ts';

export function digestAnthropicMessages(body: Record<string, unknown>, model: string): ChatDigest {
  const messagesText = textsOf(body.system);
  let lastUserText = '';
  for (const message of asArray(body.messages)) {
    const { role, content } = asRecord(message);
    messagesText.push(...textsOf(content));
    // A user turn holding only tool results is not what the user last said.
    const userTexts = role === 'user' ? textsOf(content, false) : [];
    if (userTexts.length > 0) lastUserText = userTexts.join('');
  }
  const stopSequences = asArray(body.stop_sequences).filter((sequence): sequence is string => typeof sequence === 'string');
  return { model, messagesText, lastUserText, maxTokens: asNumber(body.max_tokens), forcedTool: forcedToolOf(body), stopSequences };
}

function forcedToolOf(body: Record<string, unknown>): string | undefined {
  const tools = asArray(body.tools);
  if (tools.length === 0) return undefined;
  const choice = asRecord(body.tool_choice);
  if (choice.type === 'any') return String(asRecord(tools[0]).name);
  return choice.type === 'tool' && typeof choice.name === 'string' ? choice.name : undefined;
}

export async function handleAnthropicMessages(exchange: MockExchange, model: string): Promise<void> {
  const body = asRecord(exchange.body);
  const plan = exchange.plan(model);
  if (!(await applyPlan(exchange, plan, (failure) => writeAnthropicError(exchange.response, failure)))) return;
  const stream = body.stream === true;
  if (plan.failure?.kind === 'garbage') {
    if (stream)
      await sendFrames(exchange, [{ text: 'event: message_start\ndata: {"type": "message_start", "message": {\n\n' }], {
        contentType: 'text/event-stream',
        tokenDelayMs: 0,
        end: 'end',
      });
    else exchange.response.writeHead(200, { 'content-type': 'application/json' }).end('{"type": "message", "content": [');
    return;
  }
  const answer = answerChat(digestAnthropicMessages(body, model), plan.behavior);
  const ids = { id: exchange.nextId('msg_mock'), toolUseId: exchange.nextId('toolu_mock') };
  const omitUsage = plan.behavior.omitUsage === true;
  if (!stream) {
    const content = answer.toolCall
      ? [{ type: 'tool_use', id: ids.toolUseId, name: answer.toolCall.name, input: JSON.parse(answer.toolCall.arguments) as unknown }]
      : [{ type: 'text', text: answer.text }];
    writeJson(
      exchange.response,
      200,
      {
        ...messageShell(ids.id, model, answer, omitUsage),
        content,
        stop_reason: stopReasonOf(answer),
        stop_sequence: answer.stopSequence ?? null,
        ...(omitUsage ? {} : { usage: { ...inputUsage(answer), output_tokens: answer.outputTokens } }),
      },
      { 'request-id': 'req_mock' },
    );
    return;
  }
  const failure =
    plan.failure?.kind === 'cut'
      ? {
          afterTokens: plan.failure.afterTokens,
          type: anthropicErrorType({ status: 529, errorType: plan.behavior.errorType }),
          message: plan.behavior.errorMessage ?? 'Overloaded',
        }
      : undefined;
  await sendFrames(exchange, eventFrames(ids, model, answer, omitUsage, failure), {
    contentType: 'text/event-stream',
    tokenDelayMs: plan.behavior.tokenDelayMs ?? 0,
    end: 'end',
  });
}

function stopReasonOf(answer: ChatAnswer): string {
  if (answer.toolCall) return 'tool_use';
  if (answer.stopSequence !== undefined) return 'stop_sequence';
  return answer.truncated ? 'max_tokens' : 'end_turn';
}

// Anthropic's input_tokens leaves out cache reads and cache writes, which it reports on their own.
function inputUsage(answer: ChatAnswer) {
  return {
    input_tokens: Math.max(0, answer.inputTokens - answer.cachedTokens - answer.cacheWriteTokens),
    cache_creation_input_tokens: answer.cacheWriteTokens,
    cache_read_input_tokens: answer.cachedTokens,
    service_tier: 'standard',
  };
}

function messageShell(id: string, model: string, answer: ChatAnswer, omitUsage: boolean) {
  return {
    id,
    type: 'message',
    role: 'assistant',
    model,
    content: [] as unknown[],
    stop_reason: null as string | null,
    stop_sequence: null,
    ...(omitUsage ? {} : { usage: { ...inputUsage(answer), output_tokens: 1 } }),
  };
}

function eventFrames(
  ids: { id: string; toolUseId: string },
  model: string,
  answer: ChatAnswer,
  omitUsage: boolean,
  failure: { afterTokens: number; type: string; message: string } | undefined,
): Frame[] {
  const event = (type: string, data: Record<string, unknown>, token = false): Frame => ({
    text: `event: ${type}\ndata: ${JSON.stringify({ type, ...data })}\n\n`,
    token,
  });
  const frames: Frame[] = [event('message_start', { message: messageShell(ids.id, model, answer, omitUsage) })];
  const block = answer.toolCall ? { type: 'tool_use', id: ids.toolUseId, name: answer.toolCall.name, input: {} } : { type: 'text', text: '' };
  frames.push(event('content_block_start', { index: 0, content_block: block }), event('ping', {}));
  const pieces = failure ? answer.pieces.slice(0, failure.afterTokens) : answer.pieces;
  for (const piece of pieces) {
    const delta = answer.toolCall ? { type: 'input_json_delta', partial_json: piece } : { type: 'text_delta', text: piece };
    frames.push(event('content_block_delta', { index: 0, delta }, true));
  }
  if (failure) {
    frames.push(event('error', { error: { type: failure.type, message: failure.message } }));
    return frames;
  }
  frames.push(
    event('content_block_stop', { index: 0 }),
    event('message_delta', {
      delta: { stop_reason: stopReasonOf(answer), stop_sequence: answer.stopSequence ?? null },
      ...(omitUsage ? {} : { usage: { output_tokens: answer.outputTokens } }),
    }),
    event('message_stop', {}),
  );
  return frames;
}

export function validateAnthropicRequest(exchange: MockExchange, apiKey: string | undefined): string | undefined {
  // Current Anthropic SDKs send `Authorization: Bearer`, older ones (and the gateway) `x-api-key`.
  const authorization = exchange.request.headers.authorization;
  const presented = exchange.request.headers['x-api-key'] ?? (authorization?.startsWith('Bearer ') ? authorization.slice(7) : undefined);
  if (typeof presented !== 'string' || presented === '') {
    writeAnthropicError(exchange.response, { kind: 'status', status: 401, errorMessage: 'x-api-key header is required' });
    return undefined;
  }
  if (apiKey !== undefined && presented !== apiKey) {
    writeAnthropicError(exchange.response, { kind: 'status', status: 401, errorMessage: `invalid x-api-key: ${presented}` });
    return undefined;
  }
  if (!exchange.request.headers['anthropic-version']) {
    writeAnthropicError(exchange.response, { kind: 'status', status: 400, errorMessage: 'anthropic-version: header is required' });
    return undefined;
  }
  const body = asRecord(exchange.body);
  const problem = exchange.invalidJson
    ? 'There was an issue with your request body: invalid JSON'
    : typeof body.model !== 'string'
      ? 'model: Field required'
      : asNumber(body.max_tokens) === undefined
        ? 'max_tokens: Field required'
        : asArray(body.messages).length === 0
          ? 'messages: Field required'
          : undefined;
  if (problem) {
    writeAnthropicError(exchange.response, { kind: 'status', status: 400, errorMessage: problem });
    return undefined;
  }
  return body.model as string;
}
