import type { ErrorBody, ErrorType } from '@switchyard/core';

export type AnthropicErrorEnvelope = { type: 'error'; error: { type: string; message: string } };

export function toAnthropicErrorType(type: ErrorType): string {
  switch (type) {
    case 'invalid_request_error':
    case 'idempotency_error':
      return 'invalid_request_error';
    case 'authentication_error':
    case 'permission_error':
    case 'not_found_error':
    case 'request_too_large':
    case 'rate_limit_error':
    case 'api_error':
      return type;
    case 'upstream_error':
      return 'api_error';
    case 'overloaded':
      return 'overloaded_error';
    case 'timeout':
      return 'timeout_error';
  }
}

export function renderAnthropicError(error: ErrorBody): AnthropicErrorEnvelope {
  return { type: 'error', error: { type: toAnthropicErrorType(error.type), message: error.message } };
}
