// Turns whatever a call threw into the one error we report: the caller's abort wins,
// then our timeout, then the error as already mapped.
import { GatewayError, ProviderError } from '@switchyard/core';
import type { CallSignal } from '../http/call-signal.ts';
import { safeDetail } from './safe-detail.ts';
import type { ErrorContext } from './status-error.ts';

export function cancelledError(): GatewayError {
  return new GatewayError('cancelled', 'request cancelled');
}

export function toCallFailure(error: unknown, call: CallSignal, context: ErrorContext): GatewayError {
  if (call.cancelled) return cancelledError();
  if (call.timedOut) {
    return new ProviderError('upstream_timeout', `${context.provider} did not answer in time`, { provider: context.provider, retryable: true, cause: error });
  }
  if (error instanceof ProviderError) return error;
  // formats throws a plain GatewayError('upstream_error') for bodies it cannot read.
  if (error instanceof GatewayError && error.code === 'upstream_error') {
    return new ProviderError('upstream_error', `${context.provider} returned a response the gateway could not read`, {
      provider: context.provider,
      upstreamStatus: 200,
      detail: error.message,
      retryable: false,
      cause: error,
    });
  }
  if (error instanceof GatewayError) return error;
  return new ProviderError('upstream_error', `${context.provider} failed unexpectedly`, {
    provider: context.provider,
    retryable: true,
    detail: safeDetail(error instanceof Error ? error.message : String(error), context.secrets),
    cause: error,
  });
}

/** The request itself failed: nothing was answered (refused, DNS, reset, TLS). */
export function unreachableError(error: unknown, context: ErrorContext): ProviderError {
  const cause = error instanceof Error && error.cause instanceof Error ? error.cause : error;
  const code = typeof cause === 'object' && cause !== null && 'code' in cause ? String(cause.code) : undefined;
  const text = cause instanceof Error ? cause.message : String(cause);
  return new ProviderError('upstream_unreachable', `${context.provider} could not be reached`, {
    provider: context.provider,
    retryable: true,
    detail: safeDetail(code && !text.includes(code) ? `${code}: ${text}` : text, context.secrets),
    cause: error,
  });
}

/** The connection broke while the answer was being read. */
export function brokenResponseError(error: unknown, context: ErrorContext): ProviderError {
  const cause = error instanceof Error && error.cause instanceof Error ? error.cause : error;
  return new ProviderError('upstream_error', `${context.provider} closed the connection mid-response`, {
    provider: context.provider,
    retryable: true,
    detail: safeDetail(cause instanceof Error ? cause.message : String(cause), context.secrets),
    cause: error,
  });
}

/** The upstream answered more than the gateway reads (`maxResponseBytes`): a 502, never retried. */
export function responseTooLargeError(context: ErrorContext, limitBytes: number): ProviderError {
  return new ProviderError(
    'upstream_error',
    `${context.provider} answered more than ${formatBytes(limitBytes)}, the most this gateway reads (providers.${context.provider}.maxResponseBytes)`,
    {
      provider: context.provider,
      upstreamStatus: 200,
      retryable: false,
    },
  );
}

function formatBytes(bytes: number): string {
  return bytes >= 1024 * 1024 ? `${Math.round((bytes / (1024 * 1024)) * 10) / 10} MiB` : `${bytes} bytes`;
}
