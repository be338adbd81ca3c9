// POST /v1/embeddings: deterministic unit vectors, as floats or (as the openai SDK asks by
// default) base64 of little-endian float32.
import { applyPlan } from './apply-plan.ts';
import { asArray, asNumber, asRecord } from './chat-answer.ts';
import { estimateInputTokens, mockEmbedding } from './mock-answer.ts';
import type { MockExchange } from './mock-server.ts';
import { writeOpenAIError } from './openai-errors.ts';
import { writeJson } from './wire.ts';

export function embeddingInputs(input: unknown): string[] {
  if (typeof input === 'string') return [input];
  const items = asArray(input);
  // Token arrays (numbers) are embedded by their text form; the mock has no tokenizer.
  if (items.every((item) => typeof item === 'number')) return [items.join(' ')];
  return items.map((item) => (typeof item === 'string' ? item : asArray(item).join(' ')));
}

export async function handleOpenAIEmbeddings(exchange: MockExchange, model: string): Promise<void> {
  const body = asRecord(exchange.body);
  const plan = exchange.plan(model);
  if (!(await applyPlan(exchange, plan, (failure) => writeOpenAIError(exchange.response, failure)))) return;
  if (plan.failure?.kind === 'garbage') {
    exchange.response.writeHead(200, { 'content-type': 'application/json' }).end('{"object": "list", "data": [');
    return;
  }
  const inputs = embeddingInputs(body.input);
  const dimensions = asNumber(body.dimensions) ?? 8;
  const base64 = body.encoding_format === 'base64';
  const data = inputs.map((input, index) => {
    const vector = mockEmbedding(input, dimensions);
    const embedding = base64 ? Buffer.from(new Float32Array(vector).buffer).toString('base64') : vector;
    return { object: 'embedding', index, embedding };
  });
  const tokens = plan.behavior.usage?.input ?? inputs.reduce((total, input) => total + estimateInputTokens([input]), 0);
  writeJson(exchange.response, 200, {
    object: 'list',
    data,
    model,
    ...(plan.behavior.omitUsage ? {} : { usage: { prompt_tokens: tokens, total_tokens: tokens } }),
  });
}
