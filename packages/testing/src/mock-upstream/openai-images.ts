// POST /v1/images/generations: `n` copies of a tiny PNG (inline or as a URL), with a
// revised prompt as dall-e-3 gives one; token usage only when a behavior sets it (as the
// gpt-image models report it), never otherwise (as dall-e).
import { applyPlan } from './apply-plan.ts';
import { asNumber, asRecord } from './chat-answer.ts';
import type { MockExchange } from './mock-server.ts';
import { writeOpenAIError } from './openai-errors.ts';
import { writeJson } from './wire.ts';

/** A valid 1×1 PNG (a different pixel from the gateway's built-in mock, so tests can tell them apart). */
const upstreamPngBase64 = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==';

export async function handleOpenAIImages(exchange: MockExchange, model: string): Promise<void> {
  const body = asRecord(exchange.body);
  const plan = exchange.plan(model);
  if (!(await applyPlan(exchange, plan, (failure) => writeOpenAIError(exchange.response, failure)))) return;
  const n = asNumber(body.n) ?? 1;
  const inline = body.response_format === 'b64_json';
  const data = Array.from({ length: n }, (_, index) => ({
    ...(inline ? { b64_json: upstreamPngBase64 } : { url: `https://images.mock-upstream.invalid/${encodeURIComponent(model)}/${index}.png` }),
    revised_prompt: `A picture of ${String(body.prompt)}`,
  }));
  const usage = plan.behavior.usage;
  writeJson(exchange.response, 200, {
    created: Math.floor(Date.now() / 1000),
    data,
    ...(usage ? { usage: { input_tokens: usage.input, output_tokens: usage.output, total_tokens: usage.input + usage.output } } : {}),
  });
}
