import { z } from 'zod';
import { GatewayError } from '@switchyard/core';

const createSchema = z.strictObject({
  requests: z
    .array(
      z.strictObject({
        custom_id: z.string().regex(/^[a-zA-Z0-9_-]{1,64}$/, 'custom_id is 1 to 64 letters, digits, _ or -'),
        params: z.record(z.string(), z.unknown()),
      }),
    )
    .min(1, 'a batch holds at least one request'),
});

function invalid(error: z.ZodError): GatewayError {
  const issue = error.issues[0]!;
  if (issue.code === 'unrecognized_keys') {
    const where = issue.path.length > 0 ? `${issue.path.join('.')}: ` : '';
    return new GatewayError('invalid_request', `${where}Extra inputs are not permitted: ${issue.keys.join(', ')}`, { param: issue.keys[0] ?? null });
  }
  const param = issue.path.join('.') || null;
  return new GatewayError('invalid_request', `${param ?? 'body'}: ${issue.message}`, { param });
}

/**
 * The `POST /v1/messages/batches` body: `requests` of `{custom_id, params}` with unique
 * custom ids. Each becomes one raw line `{custom_id, method: 'POST', url: '/v1/messages',
 * body: params}`; the params themselves are validated per line by the engine, as a Messages
 * API body, and a bad one ends `errored` in the results, as at Anthropic.
 */
export function parseAnthropicBatchRequest(body: unknown, options: { maxLines: number }): { lines: string[] } {
  const parsed = createSchema.safeParse(body ?? {});
  if (!parsed.success) throw invalid(parsed.error);
  const { requests } = parsed.data;
  if (requests.length > options.maxLines) {
    throw new GatewayError('invalid_request', `requests: a batch holds at most ${options.maxLines} requests, got ${requests.length}`, { param: 'requests' });
  }
  const seen = new Set<string>();
  for (const [index, request] of requests.entries()) {
    if (seen.has(request.custom_id)) {
      throw new GatewayError('invalid_request', `requests.${index}.custom_id: duplicate custom_id ${JSON.stringify(request.custom_id)}; each must be unique`, {
        param: `requests.${index}.custom_id`,
      });
    }
    seen.add(request.custom_id);
  }
  return { lines: requests.map((request) => JSON.stringify({ custom_id: request.custom_id, method: 'POST', url: '/v1/messages', body: request.params })) };
}
