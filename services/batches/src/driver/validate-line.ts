import { resolveRoutes, type SwitchyardConfig } from '@switchyard/config';
import { GatewayError, toGatewayError, type ErrorBody, type InferenceJobData } from '@switchyard/core';
import { batchLineRequestId } from '@switchyard/db';
import { parseEndpointBody } from '@switchyard/formats';
import type { BatchEndpoint, BatchShell } from '../types.ts';

/** What a line is checked against: its batch. */
export type LineContext = {
  config: SwitchyardConfig;
  batchId: string;
  orgId: string;
  keyId: string;
  endpoint: BatchEndpoint;
  shell: BatchShell;
  /** Epoch ms: the batch's creation and its expiry (the line job's deadline). */
  createdAt: number;
  expiresAt: number;
};

/**
 * Why a line is invalid. An envelope problem (not JSON, no custom_id, wrong url) has a code
 * and message only; a body the endpoint itself refused keeps the endpoint's whole error
 * (its HTTP `status` included), so the line reads as the sync endpoint would have answered.
 */
export type LineError = { code: string; message: string; param?: string } | ErrorBody;

export type ValidatedLine = { index: number; customId: string | null; parsedJson: boolean } & ({ job: InferenceJobData } | { error: LineError });

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * One input line, checked the way the endpoint itself checks a request: the JSONL envelope
 * (`{custom_id, method: 'POST', url, body}`, or Anthropic's `{custom_id, params}` for
 * batches the Anthropic shell created), then the body by the endpoint's own parser, then the
 * model and what it can do. A valid line becomes the job it runs as; custom_id uniqueness is
 * the caller's (it spans lines).
 */
export function validateLine(context: LineContext, index: number, text: string): ValidatedLine {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { index, customId: null, parsedJson: false, error: { code: 'invalid_json', message: `line ${index + 1} is not valid JSON` } };
  }
  const refuse = (customId: string | null, error: LineError): ValidatedLine => ({ index, customId, parsedJson: true, error });
  if (!isObject(value)) return refuse(null, { code: 'invalid_request', message: `line ${index + 1} is not a JSON object` });
  const customId = value.custom_id;
  if (typeof customId !== 'string' || customId.length === 0 || customId.length > 512) {
    return refuse(null, { code: 'invalid_request', message: 'custom_id must be a non-empty string of at most 512 characters', param: 'custom_id' });
  }
  let body: unknown;
  if (context.shell === 'anthropic' && 'params' in value) body = value.params;
  else {
    if (value.method !== 'POST') return refuse(customId, { code: 'invalid_request', message: "method must be 'POST'", param: 'method' });
    if (value.url !== context.endpoint) {
      return refuse(customId, {
        code: 'invalid_request',
        message: `url must be the batch's endpoint ${context.endpoint}, got ${JSON.stringify(value.url)}`,
        param: 'url',
      });
    }
    body = value.body;
  }
  if (!isObject(body)) return refuse(customId, { code: 'invalid_request', message: 'body must be a JSON object', param: 'body' });
  try {
    const parsed = parseEndpointBody(context.endpoint, body);
    if (parsed.stream) throw new GatewayError('invalid_request', 'stream is not supported in a batch', { param: 'stream' });
    const { routes } = resolveRoutes(context.config, parsed.requestedModel, parsed.call);
    const job: InferenceJobData = {
      requestId: batchLineRequestId(context.batchId, index),
      orgId: context.orgId,
      keyId: context.keyId,
      endpoint: context.endpoint,
      mode: 'batch',
      stream: false,
      requestedModel: parsed.requestedModel,
      call: parsed.call,
      routes,
      routeIndex: 0,
      createdAt: context.createdAt,
      deadline: context.expiresAt,
      batchId: context.batchId,
      customId,
    };
    if (parsed.includeUsage) job.includeUsage = true;
    return { index, customId, parsedJson: true, job };
  } catch (caught) {
    return refuse(customId, toGatewayError(caught).toBody());
  }
}
