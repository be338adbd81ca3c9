// Ollama's native POST /api/chat: one JSON object, or NDJSON lines ending with a
// `done: true` line that carries prompt_eval_count / eval_count.
import { applyPlan } from './apply-plan.ts';
import { answerChat, asArray, asNumber, asRecord, type ChatAnswer, type ChatDigest } from './chat-answer.ts';
import type { StatusFailure } from './call-plan.ts';
import type { MockExchange } from './mock-server.ts';
import { retryAfterHeaders, sendFrames, writeJson, type Frame } from './wire.ts';

export function writeOllamaError(exchange: MockExchange, failure: StatusFailure): void {
  writeJson(exchange.response, failure.status, { error: failure.errorMessage ?? `mock upstream error (status ${failure.status})` }, retryAfterHeaders(failure));
}

export function digestOllamaChat(body: Record<string, unknown>, model: string): ChatDigest {
  const messagesText: string[] = [];
  let lastUserText = '';
  let lastRole: unknown;
  for (const message of asArray(body.messages)) {
    const { role, content } = asRecord(message);
    const text = typeof content === 'string' ? content : '';
    messagesText.push(text);
    if (role === 'user') lastUserText = text;
    lastRole = role;
  }
  // Ollama has no tool_choice: the mock calls the first tool whenever the user spoke last.
  const tools = asArray(body.tools);
  const forcedTool = tools.length > 0 && lastRole === 'user' ? String(asRecord(asRecord(tools[0]).function).name) : undefined;
  return { model, messagesText, lastUserText, maxTokens: asNumber(asRecord(body.options).num_predict), forcedTool };
}

export async function handleOllamaChat(exchange: MockExchange, model: string): Promise<void> {
  const body = asRecord(exchange.body);
  const plan = exchange.plan(model);
  if (!(await applyPlan(exchange, plan, (failure) => writeOllamaError(exchange, failure)))) return;
  // Ollama streams unless told not to.
  const stream = body.stream !== false;
  if (plan.failure?.kind === 'garbage') {
    exchange.response.writeHead(200, { 'content-type': stream ? 'application/x-ndjson' : 'application/json' }).end('{"model": "garbage", "message": {\n');
    return;
  }
  const answer = answerChat(digestOllamaChat(body, model), plan.behavior);
  const omitUsage = plan.behavior.omitUsage === true;
  const createdAt = new Date().toISOString();
  const toolCalls = answer.toolCall ? [{ function: { name: answer.toolCall.name, arguments: JSON.parse(answer.toolCall.arguments) as unknown } }] : undefined;
  if (!stream) {
    writeJson(exchange.response, 200, {
      model,
      created_at: createdAt,
      message: { role: 'assistant', content: answer.text, ...(toolCalls ? { tool_calls: toolCalls } : {}) },
      ...finalFields(answer, omitUsage),
    });
    return;
  }
  const line = (value: unknown, token = false): Frame => ({ text: `${JSON.stringify(value)}\n`, token });
  const frames: Frame[] = [];
  const cutAfter = plan.failure?.kind === 'cut' ? plan.failure.afterTokens : undefined;
  if (toolCalls) frames.push(line({ model, created_at: createdAt, message: { role: 'assistant', content: '', tool_calls: toolCalls }, done: false }, true));
  else {
    const pieces = cutAfter === undefined ? answer.pieces : answer.pieces.slice(0, cutAfter);
    for (const piece of pieces) frames.push(line({ model, created_at: createdAt, message: { role: 'assistant', content: piece }, done: false }, true));
  }
  if (cutAfter !== undefined) frames.push(line({ error: plan.behavior.errorMessage ?? 'an error was encountered while running the model' }));
  else frames.push(line({ model, created_at: createdAt, message: { role: 'assistant', content: '' }, ...finalFields(answer, omitUsage) }));
  await sendFrames(exchange, frames, { contentType: 'application/x-ndjson', tokenDelayMs: plan.behavior.tokenDelayMs ?? 0, end: 'end' });
}

function finalFields(answer: ChatAnswer, omitUsage: boolean) {
  return {
    done_reason: answer.truncated ? 'length' : 'stop',
    done: true,
    total_duration: 1_000_000,
    load_duration: 100_000,
    ...(omitUsage ? {} : { prompt_eval_count: answer.inputTokens, prompt_eval_duration: 200_000, eval_count: answer.outputTokens, eval_duration: 700_000 }),
  };
}
