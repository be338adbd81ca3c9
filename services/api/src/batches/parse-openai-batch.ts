import { z } from 'zod';
import { GatewayError, type WebhookAllowList } from '@switchyard/core';
import { batchEndpoints, type CreateBatchInput } from '@switchyard/batches';
import { batchMetadataSchema, checkBatchWebhookUrl } from './batch-metadata.ts';

/** What `POST /v1/batches` asks the engine for (the caller's org and key are added by the route). */
export type OpenAiBatchRequest = Pick<CreateBatchInput, 'endpoint' | 'completionWindow' | 'source'> & { metadata?: Record<string, string> };

const createSchema = z.strictObject({
  input_file_id: z.string().optional(),
  // A Switchyard extension: the lines inline, `{custom_id, method, url, body}` each.
  requests: z.array(z.unknown()).optional(),
  endpoint: z.string(),
  completion_window: z.string().optional(),
  metadata: batchMetadataSchema.nullable().optional(),
});

const accepted = 'input_file_id, endpoint, completion_window, metadata (or requests instead of input_file_id)';

function invalid(error: z.ZodError): GatewayError {
  const issue = error.issues[0]!;
  if (issue.code === 'unrecognized_keys') {
    return new GatewayError('invalid_request', `Unrecognized request argument supplied: ${issue.keys.join(', ')} (a batch takes ${accepted})`, {
      param: issue.keys[0] ?? null,
    });
  }
  const param = issue.path.join('.') || null;
  return new GatewayError('invalid_request', `Invalid '${param ?? 'body'}': ${issue.message}`, { param });
}

/**
 * The `POST /v1/batches` body, checked as OpenAI checks it (endpoint, `completion_window`
 * "24h", metadata) plus the inline `requests` extension. Each inline request becomes one raw
 * JSONL line, so a bad one lands in the error file exactly as a bad line of a file would.
 */
export function parseOpenAiBatchRequest(body: unknown, options: { maxLines: number; webhookAllow: WebhookAllowList }): OpenAiBatchRequest {
  const parsed = createSchema.safeParse(body ?? {});
  if (!parsed.success) throw invalid(parsed.error);
  const { input_file_id: inputFileId, requests, endpoint, completion_window: completionWindow, metadata } = parsed.data;

  const batchEndpoint = batchEndpoints.find((candidate) => candidate === endpoint);
  if (!batchEndpoint) {
    throw new GatewayError(
      'invalid_request',
      `Invalid 'endpoint': ${JSON.stringify(endpoint)} is not supported; expected one of ${batchEndpoints.join(', ')}`,
      {
        param: 'endpoint',
      },
    );
  }
  if (inputFileId !== undefined && requests !== undefined) {
    throw new GatewayError('invalid_request', 'Give either input_file_id or requests, not both', { param: 'requests' });
  }
  if (inputFileId === undefined && requests === undefined) {
    throw new GatewayError('invalid_request', "Missing required parameter: 'input_file_id' (or inline 'requests')", { param: 'input_file_id' });
  }
  // OpenAI requires the window with a file; the inline extension defaults it.
  if (completionWindow === undefined && inputFileId !== undefined) {
    throw new GatewayError('invalid_request', "Missing required parameter: 'completion_window'", { param: 'completion_window' });
  }
  if (completionWindow !== undefined && completionWindow !== '24h') {
    throw new GatewayError('invalid_request', `Invalid 'completion_window': ${JSON.stringify(completionWindow)}; only '24h' is supported`, {
      param: 'completion_window',
    });
  }
  if (requests !== undefined) {
    if (requests.length === 0) throw new GatewayError('invalid_request', "Invalid 'requests': a batch holds at least one request", { param: 'requests' });
    if (requests.length > options.maxLines) {
      throw new GatewayError('invalid_request', `Invalid 'requests': a batch holds at most ${options.maxLines} requests, got ${requests.length}`, {
        param: 'requests',
      });
    }
  }
  const ownMetadata = metadata ?? undefined;
  checkBatchWebhookUrl(ownMetadata, options.webhookAllow);
  return {
    endpoint: batchEndpoint,
    completionWindow: '24h',
    ...(ownMetadata ? { metadata: ownMetadata } : {}),
    source: inputFileId !== undefined ? { fileId: inputFileId } : { lines: requests!.map((request) => JSON.stringify(request)) },
  };
}
