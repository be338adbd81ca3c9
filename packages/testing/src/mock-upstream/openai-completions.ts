// POST /v1/completions (legacy): the same echo rule on the prompt.
import { applyPlan } from './apply-plan.ts';
import { asArray, asNumber, asRecord } from './chat-answer.ts';
import { expectedMockAnswer, wordPieces } from './mock-answer.ts';
import type { MockExchange } from './mock-server.ts';
import { openAIUsage } from './openai-chat.ts';
import { writeOpenAIError } from './openai-errors.ts';
import { sendFrames, writeJson, type Frame } from './wire.ts';

export async function handleOpenAICompletions(exchange: MockExchange, model: string): Promise<void> {
  const body = asRecord(exchange.body);
  const plan = exchange.plan(model);
  if (!(await applyPlan(exchange, plan, (failure) => writeOpenAIError(exchange.response, failure)))) return;
  if (plan.failure?.kind === 'garbage') {
    exchange.response.writeHead(200, { 'content-type': 'application/json' }).end('{"object": "text_completion", "choices": [');
    return;
  }
  const prompt = typeof body.prompt === 'string' ? body.prompt : asArray(body.prompt).map(String).join('');
  const answer = expectedMockAnswer([prompt], prompt, { text: plan.behavior.text, maxTokens: asNumber(body.max_tokens) });
  const usage = openAIUsage({
    inputTokens: plan.behavior.usage?.input ?? answer.inputTokens,
    outputTokens: plan.behavior.usage?.output ?? answer.outputTokens,
    cachedTokens: plan.behavior.usage?.cached ?? 0,
  });
  const id = exchange.nextId('cmpl-mock');
  const created = Math.floor(Date.now() / 1000);
  const finishReason = answer.truncated ? 'length' : 'stop';
  const omitUsage = plan.behavior.omitUsage === true;
  if (body.stream !== true) {
    writeJson(exchange.response, 200, {
      id,
      object: 'text_completion',
      created,
      model,
      choices: [{ text: answer.text, index: 0, logprobs: null, finish_reason: finishReason }],
      ...(omitUsage ? {} : { usage }),
    });
    return;
  }
  const frame = (text: string, finish: string | null, token = false): Frame => ({
    text: `data: ${JSON.stringify({ id, object: 'text_completion', created, model, choices: [{ text, index: 0, logprobs: null, finish_reason: finish }] })}\n\n`,
    token,
  });
  const frames = wordPieces(answer.text).map((piece) => frame(piece, null, true));
  frames.push(frame('', finishReason));
  if (asRecord(body.stream_options).include_usage === true && !omitUsage) {
    frames.push({ text: `data: ${JSON.stringify({ id, object: 'text_completion', created, model, choices: [], usage })}\n\n` });
  }
  frames.push({ text: 'data: [DONE]\n\n' });
  await sendFrames(exchange, frames, { contentType: 'text/event-stream', tokenDelayMs: plan.behavior.tokenDelayMs ?? 0, end: 'end' });
}
