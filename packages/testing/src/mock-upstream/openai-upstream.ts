// The mock OpenAI upstream: /v1 routes plus Azure OpenAI's deployment routes.
import { asRecord } from './chat-answer.ts';
import type { MockExchange } from './mock-server.ts';
import { startMockServer } from './mock-server.ts';
import { handleOpenAIChat } from './openai-chat.ts';
import { handleOpenAICompletions } from './openai-completions.ts';
import { handleOpenAIEmbeddings } from './openai-embeddings.ts';
import { handleOpenAIImages } from './openai-images.ts';
import { writeOpenAIError } from './openai-errors.ts';
import type { MockUpstream, MockUpstreamOptions } from './types.ts';
import { writeJson } from './wire.ts';

const defaultModels = ['gpt-4o', 'gpt-4o-mini', 'text-embedding-3-small'];
const azurePath = /^\/openai\/deployments\/([^/]+)\/(chat\/completions|embeddings|completions|images\/generations)$/;

export function startMockOpenAIUpstream(options: MockUpstreamOptions = {}): Promise<MockUpstream> {
  return startMockServer(options, '/v1', async (exchange) => {
    if (!(await routeOpenAI(exchange, options))) notFound(exchange);
  });
}

/** Serves the OpenAI routes; false when the path is not one of them. Ollama reuses it for its /v1. */
export async function routeOpenAI(exchange: MockExchange, options: MockUpstreamOptions): Promise<boolean> {
  const { method, path } = exchange;
  // OpenAI's list, and Azure OpenAI's `Models - List` of the resource (api-key header).
  if (method === 'GET' && (path === '/v1/models' || path === '/openai/models')) {
    const presented = path === '/v1/models' ? bearerOf(exchange) : (exchange.request.headers['api-key'] as string | undefined);
    if (!authorized(exchange, presented, options)) return true;
    const created = Math.floor(Date.now() / 1000);
    writeJson(exchange.response, 200, {
      object: 'list',
      data: (options.models ?? defaultModels).map((id) => ({ id, object: 'model', created, owned_by: 'mock' })),
    });
    return true;
  }
  if (method !== 'POST') return false;
  const azure = azurePath.exec(path);
  if (azure) {
    await serveAzure(exchange, decodeURIComponent(azure[1]!), azure[2]!, options);
    return true;
  }
  const endpoint = path.startsWith('/v1/') ? path.slice(4) : undefined;
  if (endpoint !== 'chat/completions' && endpoint !== 'embeddings' && endpoint !== 'completions' && endpoint !== 'images/generations') return false;
  if (!authorized(exchange, bearerOf(exchange), options) || !validBody(exchange)) return true;
  const model = asRecord(exchange.body).model;
  if (typeof model !== 'string' || model === '') {
    badRequest(exchange, 'you must provide a model parameter');
    return true;
  }
  await serveEndpoint(exchange, endpoint, model);
  return true;
}

async function serveAzure(exchange: MockExchange, deployment: string, endpoint: string, options: MockUpstreamOptions): Promise<void> {
  const apiKey = exchange.request.headers['api-key'];
  if (typeof apiKey !== 'string' || apiKey === '') {
    writeJson(exchange.response, 401, {
      error: { code: '401', message: 'Access denied due to missing subscription key. Make sure to include subscription key when making requests to an API.' },
    });
    return;
  }
  if (!authorized(exchange, apiKey, options)) return;
  if (!exchange.query.get('api-version')) {
    writeJson(exchange.response, 404, { error: { code: '404', message: 'Resource not found' } });
    return;
  }
  if (!validBody(exchange)) return;
  const model = asRecord(exchange.body).model;
  await serveEndpoint(exchange, endpoint, typeof model === 'string' && model !== '' ? model : deployment);
}

function serveEndpoint(exchange: MockExchange, endpoint: string, model: string): Promise<void> {
  if (endpoint === 'embeddings') return handleOpenAIEmbeddings(exchange, model);
  if (endpoint === 'completions') return handleOpenAICompletions(exchange, model);
  if (endpoint === 'images/generations') return handleOpenAIImages(exchange, model);
  return handleOpenAIChat(exchange, model);
}

function bearerOf(exchange: MockExchange): string | undefined {
  const header = exchange.request.headers.authorization;
  return header?.startsWith('Bearer ') ? header.slice(7) : undefined;
}

/** With a configured key, a wrong one is refused, echoed in full so tests can check that adapters scrub it. */
function authorized(exchange: MockExchange, presented: string | undefined, options: MockUpstreamOptions): boolean {
  if (options.apiKey === undefined || presented === options.apiKey) return true;
  writeOpenAIError(exchange.response, {
    kind: 'status',
    status: 401,
    errorMessage: presented
      ? `Incorrect API key provided: ${presented}. You can find your API key at https://platform.openai.com/account/api-keys.`
      : "You didn't provide an API key.",
  });
  return false;
}

function validBody(exchange: MockExchange): boolean {
  if (!exchange.invalidJson && typeof exchange.body === 'object' && exchange.body !== null) return true;
  badRequest(exchange, 'We could not parse the JSON body of your request.');
  return false;
}

function badRequest(exchange: MockExchange, message: string): void {
  writeOpenAIError(exchange.response, { kind: 'status', status: 400, errorMessage: message });
}

function notFound(exchange: MockExchange): void {
  writeOpenAIError(exchange.response, {
    kind: 'status',
    status: 404,
    errorType: 'invalid_request_error',
    errorMessage: `Unknown request URL: ${exchange.method} ${exchange.path}.`,
  });
}
