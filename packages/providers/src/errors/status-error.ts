// Maps an upstream HTTP error answer to a ProviderError, once, for every provider.
import { ProviderError, type ErrorCode } from '@switchyard/core';
import type { UpstreamResponse } from '../http/upstream-response.ts';
import { parseRetryAfter } from './retry-after.ts';
import { safeDetail } from './safe-detail.ts';
import { readUpstreamMessage } from './upstream-message.ts';

export type ErrorContext = {
  provider: string;
  /** Values that must never appear in an error: the API key, custom header values. */
  secrets: readonly string[];
  /** Largest response body the gateway reads, in bytes. */
  maxResponseBytes?: number;
};

type Classification = { code: ErrorCode; retryable: boolean; message: string };

/** OpenAI's code, Anthropic's message: the request is longer than the model's context. */
function saysContextTooLong(upstream: { message?: string; type?: string; code?: string }): boolean {
  return upstream.code === 'context_length_exceeded' || /prompt is too long|maximum context length/i.test(upstream.message ?? '');
}

function classify(status: number, upstream: { message?: string; type?: string; code?: string }, provider: string): Classification {
  const upstreamType = upstream.type;
  if ((status === 400 || status === 413) && saysContextTooLong(upstream)) {
    return { code: 'context_length_exceeded', retryable: false, message: `${provider} rejected the request as longer than the model's context` };
  }
  if (status === 503 || status === 529 || upstreamType === 'overloaded_error') {
    return { code: 'upstream_overloaded', retryable: true, message: `${provider} is overloaded` };
  }
  switch (status) {
    case 400:
    case 413:
    case 422:
      return { code: 'invalid_request', retryable: false, message: `${provider} rejected the request as invalid` };
    case 401:
    case 403:
      return { code: 'upstream_error', retryable: false, message: `${provider} rejected the gateway's credentials` };
    case 404:
      return { code: 'upstream_error', retryable: false, message: `${provider} does not know the requested model or endpoint` };
    case 408:
      return { code: 'upstream_timeout', retryable: true, message: `${provider} timed out` };
    case 409:
      return { code: 'upstream_error', retryable: true, message: `${provider} reported a conflict` };
    case 429:
      return { code: 'upstream_rate_limited', retryable: true, message: `${provider} is rate limiting the gateway` };
  }
  if (status >= 500) return { code: 'upstream_error', retryable: true, message: `${provider} failed with status ${status}` };
  return { code: 'upstream_error', retryable: false, message: `${provider} answered with status ${status}` };
}

export function providerErrorForStatus(
  status: number,
  context: ErrorContext,
  upstream: { message?: string; type?: string; code?: string; retryAfterMs?: number } = {},
): ProviderError {
  const { code, retryable, message } = classify(status, upstream, context.provider);
  const detail = upstream.message ? safeDetail(upstream.message, context.secrets) : '';
  return new ProviderError(code, message, {
    provider: context.provider,
    upstreamStatus: status,
    retryable,
    ...(detail ? { detail } : {}),
    ...(upstream.retryAfterMs === undefined ? {} : { retryAfterMs: upstream.retryAfterMs }),
  });
}

/** Reads an error answer's body (the call signal bounds how long that may take). */
export async function errorFromResponse(response: UpstreamResponse, context: ErrorContext): Promise<ProviderError> {
  const text = await response.body.text().catch(() => '');
  const upstream = readUpstreamMessage(text);
  return providerErrorForStatus(response.statusCode, context, { ...upstream, retryAfterMs: parseRetryAfter(response.headers) });
}
