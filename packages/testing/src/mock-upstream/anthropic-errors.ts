import type { ServerResponse } from 'node:http';
import type { StatusFailure } from './call-plan.ts';
import { retryAfterHeaders, writeJson } from './wire.ts';

const typeByStatus: Record<number, string> = {
  400: 'invalid_request_error',
  401: 'authentication_error',
  403: 'permission_error',
  404: 'not_found_error',
  413: 'request_too_large',
  429: 'rate_limit_error',
  529: 'overloaded_error',
};

export function anthropicErrorType(failure: { status: number; errorType?: string }): string {
  return failure.errorType ?? typeByStatus[failure.status] ?? 'api_error';
}

/** Anthropic's `{type: 'error', error: {type, message}}` envelope. */
export function writeAnthropicError(response: ServerResponse, failure: StatusFailure): void {
  const type = anthropicErrorType(failure);
  writeJson(
    response,
    failure.status,
    {
      type: 'error',
      error: { type, message: failure.errorMessage ?? (type === 'overloaded_error' ? 'Overloaded' : `mock upstream error (status ${failure.status})`) },
    },
    { 'request-id': 'req_mock', ...retryAfterHeaders(failure) },
  );
}
