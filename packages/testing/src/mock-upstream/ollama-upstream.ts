// The mock Ollama upstream: native /api/chat and /api/embed, plus its OpenAI-compatible /v1.
import { applyPlan } from './apply-plan.ts';
import { asNumber, asRecord } from './chat-answer.ts';
import { estimateInputTokens, mockEmbedding } from './mock-answer.ts';
import type { MockExchange } from './mock-server.ts';
import { startMockServer } from './mock-server.ts';
import { handleOllamaChat, writeOllamaError } from './ollama-chat.ts';
import { embeddingInputs } from './openai-embeddings.ts';
import { routeOpenAI } from './openai-upstream.ts';
import type { MockUpstream, MockUpstreamOptions } from './types.ts';
import { writeJson } from './wire.ts';

export function startMockOllamaUpstream(options: MockUpstreamOptions = {}): Promise<MockUpstream> {
  return startMockServer(options, '', async (exchange) => {
    if (await routeOpenAI(exchange, options)) return;
    if (exchange.method === 'GET' && exchange.path === '/api/tags') {
      const models = (options.models ?? ['llama3.2', 'qwen2.5']).map((name) => ({
        name,
        model: name,
        modified_at: '2026-01-01T00:00:00Z',
        size: 2_019_393_189,
      }));
      writeJson(exchange.response, 200, { models });
      return;
    }
    if (exchange.method === 'POST' && (exchange.path === '/api/chat' || exchange.path === '/api/embed')) {
      const model = asRecord(exchange.body).model;
      if (exchange.invalidJson || typeof model !== 'string' || model === '') {
        writeOllamaError(exchange, {
          kind: 'status',
          status: 400,
          errorMessage: exchange.invalidJson ? 'invalid character in JSON body' : 'model is required',
        });
        return;
      }
      await (exchange.path === '/api/chat' ? handleOllamaChat(exchange, model) : handleOllamaEmbed(exchange, model));
      return;
    }
    writeOllamaError(exchange, { kind: 'status', status: 404, errorMessage: '404 page not found' });
  });
}

async function handleOllamaEmbed(exchange: MockExchange, model: string): Promise<void> {
  const body = asRecord(exchange.body);
  const plan = exchange.plan(model);
  if (!(await applyPlan(exchange, plan, (failure) => writeOllamaError(exchange, failure)))) return;
  if (plan.failure?.kind === 'garbage') {
    exchange.response.writeHead(200, { 'content-type': 'application/json' }).end('{"embeddings": [');
    return;
  }
  const inputs = embeddingInputs(body.input);
  const dimensions = asNumber(body.dimensions) ?? 8;
  writeJson(exchange.response, 200, {
    model,
    embeddings: inputs.map((input) => mockEmbedding(input, dimensions)),
    total_duration: 1_000_000,
    load_duration: 100_000,
    ...(plan.behavior.omitUsage
      ? {}
      : { prompt_eval_count: plan.behavior.usage?.input ?? inputs.reduce((total, input) => total + estimateInputTokens([input]), 0) }),
  });
}
