// An OpenAI-dialect SSE body -> canonical stream parts, through formats' chunk parser.
import type { StreamPart } from '@switchyard/core';
import { createOpenAIChunkParser } from '@switchyard/formats';
import type { CallSignal } from '../http/call-signal.ts';
import type { HttpContext } from '../http/http-context.ts';
import { readServerSentEvents } from '../http/read-body.ts';
import { parseJsonOrUndefined, unreadableChunkPart } from '../http/stream-json.ts';
import type { UpstreamResponse } from '../http/upstream-response.ts';

export async function* openAIStreamParts(response: UpstreamResponse, call: CallSignal, context: HttpContext): AsyncGenerator<StreamPart> {
  const parser = createOpenAIChunkParser();
  let done = false;
  for await (const event of readServerSentEvents(response.body, call, context)) {
    // Keep reading to the end after [DONE] so the connection can be reused.
    if (done) continue;
    if (event.data === '[DONE]') {
      done = true;
      continue;
    }
    const chunk = parseJsonOrUndefined(event.data);
    if (chunk === undefined) yield unreadableChunkPart();
    else yield* parser.parse(chunk);
  }
  yield* parser.finish();
}
