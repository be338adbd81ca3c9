import { toAnthropicErrorType } from '../anthropic/render-error.ts';
import type { ErrorType } from '@switchyard/core';
import type { BatchLineView } from './batch-view.ts';

type AnthropicErrorResponse = { type: 'error'; error: { type: string; message: string }; request_id: string | null };

/** One line of `GET /v1/messages/batches/{id}/results`. */
export type AnthropicResultLine = {
  custom_id: string | null;
  result: { type: 'succeeded'; message: unknown } | { type: 'errored'; error: AnthropicErrorResponse } | { type: 'canceled' } | { type: 'expired' };
};

const gatewayErrorTypes: ReadonlySet<string> = new Set<ErrorType>([
  'invalid_request_error',
  'authentication_error',
  'permission_error',
  'not_found_error',
  'idempotency_error',
  'request_too_large',
  'rate_limit_error',
  'api_error',
  'upstream_error',
  'overloaded',
  'timeout',
]);

/** A line refused before it ran, by the code of its refusal (the rest are invalid_request_error). */
const refusedLineTypes: Partial<Record<string, string>> = {
  model_not_found: 'not_found_error',
  not_found: 'not_found_error',
  request_too_large: 'request_too_large',
};

/** Anthropic's error type for an HTTP status; a line refused before it ran (no status) was the caller's mistake. */
function errorTypeOfStatus(status: number | null): string {
  switch (status) {
    case null:
    case 400:
      return 'invalid_request_error';
    case 401:
      return 'authentication_error';
    case 403:
      return 'permission_error';
    case 404:
      return 'not_found_error';
    case 413:
      return 'request_too_large';
    case 429:
      return 'rate_limit_error';
    case 503:
    case 529:
      return 'overloaded_error';
    case 504:
      return 'timeout_error';
    default:
      return 'api_error';
  }
}

function isAnthropicErrorEnvelope(body: unknown): body is { type: 'error'; error: { type: string; message: string } } {
  if (typeof body !== 'object' || body === null) return false;
  const { type, error } = body as { type?: unknown; error?: { type?: unknown; message?: unknown } };
  return type === 'error' && typeof error?.type === 'string' && typeof error.message === 'string';
}

/** The line's failure in Anthropic's error envelope: the endpoint's own envelope when it answered one. */
function anthropicError(result: BatchLineView): AnthropicErrorResponse {
  if (isAnthropicErrorEnvelope(result.body)) {
    return { type: 'error', error: { type: result.body.error.type, message: result.body.error.message }, request_id: result.requestId };
  }
  const declared = result.error?.type;
  const refusedAs = result.statusCode === null && result.error ? refusedLineTypes[result.error.code] : undefined;
  const type = declared && gatewayErrorTypes.has(declared) ? toAnthropicErrorType(declared as ErrorType) : (refusedAs ?? errorTypeOfStatus(result.statusCode));
  return { type: 'error', error: { type, message: result.error?.message ?? 'the request failed' }, request_id: result.requestId };
}

/** The line as Anthropic's Message Batches results write it. */
export function renderAnthropicResultLine(result: BatchLineView): AnthropicResultLine {
  switch (result.outcome) {
    case 'succeeded':
      return { custom_id: result.customId, result: { type: 'succeeded', message: result.body } };
    case 'errored':
      return { custom_id: result.customId, result: { type: 'errored', error: anthropicError(result) } };
    case 'canceled':
      return { custom_id: result.customId, result: { type: 'canceled' } };
    case 'expired':
      return { custom_id: result.customId, result: { type: 'expired' } };
  }
}
