import { ProviderError } from '@switchyard/core';
import { request } from 'undici';
import { brokenResponseError, responseTooLargeError, unreachableError } from '../errors/call-failure.ts';
import { errorFromResponse } from '../errors/status-error.ts';
import type { CallSignal } from './call-signal.ts';
import type { HttpContext } from './http-context.ts';
import type { UpstreamResponse } from './upstream-response.ts';

// The user agent fetch sent before we moved to undici.request, so upstreams see no change.
const defaultHeaders = { 'user-agent': 'node', 'content-type': 'application/json' };

/**
 * POSTs a JSON body; resolves with a 2xx response, throws the mapped error otherwise.
 * Redirects are not followed: an API answering 3xx is misconfigured, and following one
 * would send our key to wherever it points.
 */
export async function postJson(context: HttpContext, call: CallSignal, url: string, headers: Record<string, string>, body: unknown): Promise<UpstreamResponse> {
  let response: UpstreamResponse;
  try {
    response = await request(url, {
      method: 'POST',
      headers: { ...defaultHeaders, ...headers },
      body: JSON.stringify(body),
      signal: call.signal,
      dispatcher: context.dispatcher,
    });
  } catch (error) {
    // An abort is classified by the call wrapper from the signal that fired.
    throw call.signal.aborted ? error : unreachableError(error, context);
  }
  if (response.statusCode < 200 || response.statusCode > 299) throw await errorFromResponse(response, context);
  return response;
}

export async function readJson(response: UpstreamResponse, context: HttpContext): Promise<unknown> {
  const limit = context.maxResponseBytes ?? Number.POSITIVE_INFINITY;
  const chunks: Buffer[] = [];
  let received = 0;
  try {
    for await (const chunk of response.body as AsyncIterable<Buffer>) {
      received += chunk.byteLength;
      if (received > limit) {
        response.body.destroy();
        throw responseTooLargeError(context, limit);
      }
      chunks.push(chunk);
    }
  } catch (error) {
    if (error instanceof ProviderError) throw error;
    throw brokenResponseError(error, context);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  try {
    return JSON.parse(text);
  } catch {
    throw new ProviderError('upstream_error', `${context.provider} returned a response the gateway could not read`, {
      provider: context.provider,
      upstreamStatus: response.statusCode,
      detail: 'the response body is not valid JSON',
      retryable: false,
    });
  }
}
