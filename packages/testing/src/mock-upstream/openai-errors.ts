import type { ServerResponse } from 'node:http';
import type { StatusFailure } from './call-plan.ts';
import { retryAfterHeaders, writeJson } from './wire.ts';

const defaultsByStatus: Record<number, { type: string; code: string | null }> = {
  400: { type: 'invalid_request_error', code: null },
  401: { type: 'invalid_request_error', code: 'invalid_api_key' },
  403: { type: 'permission_error', code: null },
  404: { type: 'invalid_request_error', code: 'model_not_found' },
  429: { type: 'requests', code: 'rate_limit_exceeded' },
};

/** OpenAI's `{error: {message, type, param, code}}` envelope. */
export function writeOpenAIError(response: ServerResponse, failure: StatusFailure): void {
  const defaults = defaultsByStatus[failure.status] ?? { type: 'server_error', code: null };
  writeJson(
    response,
    failure.status,
    {
      error: {
        message: failure.errorMessage ?? `mock upstream error (status ${failure.status})`,
        type: failure.errorType ?? defaults.type,
        param: null,
        code: defaults.code,
      },
    },
    retryAfterHeaders(failure),
  );
}

/** OpenAI's answer to a prompt longer than the model's context. */
export function writeOpenAIContextLengthError(response: ServerResponse, characters: number, limit: number): void {
  writeJson(response, 400, {
    error: {
      message: `This model's maximum context length is ${limit} characters. However, your messages resulted in ${characters} characters. Please reduce the length of the messages.`,
      type: 'invalid_request_error',
      param: 'messages',
      code: 'context_length_exceeded',
    },
  });
}
