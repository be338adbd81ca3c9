import { request } from 'undici';
import { unreachableError } from '../errors/call-failure.ts';
import { errorFromResponse } from '../errors/status-error.ts';
import type { CallSignal } from './call-signal.ts';
import type { HttpContext } from './http-context.ts';
import { readJson } from './post-json.ts';

/** GETs a JSON document (a metadata call, such as a model list), with the same error mapping and no redirects as postJson. */
export async function getJson(context: HttpContext, call: CallSignal, url: string, headers: Record<string, string>): Promise<unknown> {
  let response: Awaited<ReturnType<typeof request>>;
  try {
    response = await request(url, { method: 'GET', headers: { 'user-agent': 'node', ...headers }, signal: call.signal, dispatcher: context.dispatcher });
  } catch (error) {
    throw call.signal.aborted ? error : unreachableError(error, context);
  }
  if (response.statusCode < 200 || response.statusCode > 299) throw await errorFromResponse(response, context);
  return readJson(response, context);
}
