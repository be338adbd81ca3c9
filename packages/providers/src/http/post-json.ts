import { ProviderError } from '@switchyard/core';
import { brokenResponseError, unreachableError } from '../errors/call-failure.ts';
import { errorFromResponse } from '../errors/status-error.ts';
import type { CallSignal } from './call-signal.ts';
import type { HttpContext } from './http-context.ts';

/** POSTs a JSON body; resolves with a 2xx response, throws the mapped error otherwise. */
export async function postJson(context: HttpContext, call: CallSignal, url: string, headers: Record<string, string>, body: unknown): Promise<Response> {
  let response: Response;
  try {
    response = await context.fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify(body),
      signal: call.signal,
    });
  } catch (error) {
    // An abort is classified by the call wrapper from the signal that fired.
    throw call.signal.aborted ? error : unreachableError(error, context);
  }
  if (!response.ok) throw await errorFromResponse(response, context);
  return response;
}

export async function readJson(response: Response, context: HttpContext): Promise<unknown> {
  let text: string;
  try {
    text = await response.text();
  } catch (error) {
    throw brokenResponseError(error, context);
  }
  try {
    return JSON.parse(text);
  } catch {
    throw new ProviderError('upstream_error', `${context.provider} returned a response the gateway could not read`, {
      provider: context.provider,
      upstreamStatus: response.status,
      detail: 'the response body is not valid JSON',
      retryable: false,
    });
  }
}
