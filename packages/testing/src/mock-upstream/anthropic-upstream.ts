// The mock Anthropic upstream: POST /v1/messages.
import { writeAnthropicError } from './anthropic-errors.ts';
import { handleAnthropicMessages, validateAnthropicRequest } from './anthropic-messages.ts';
import { startMockServer } from './mock-server.ts';
import type { MockUpstream, MockUpstreamOptions } from './types.ts';

export function startMockAnthropicUpstream(options: MockUpstreamOptions = {}): Promise<MockUpstream> {
  return startMockServer(options, '', async (exchange) => {
    if (exchange.method !== 'POST' || exchange.path !== '/v1/messages') {
      writeAnthropicError(exchange.response, { kind: 'status', status: 404, errorMessage: `Not found: ${exchange.method} ${exchange.path}` });
      return;
    }
    const model = validateAnthropicRequest(exchange, options.apiKey);
    if (model !== undefined) await handleAnthropicMessages(exchange, model);
  });
}
