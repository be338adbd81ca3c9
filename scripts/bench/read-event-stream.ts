import { performance } from 'node:perf_hooks';

export type EventStreamSummary = { tokens: number; firstTokenAt: number | undefined };

// A chunk with non-empty delta content, as JSON.stringify writes it. Matching text instead
// of parsing every chunk keeps the load generator's CPU out of the way of the targets'.
const contentToken = /"content":"(?!")/;

/**
 * Reads an OpenAI chat completion SSE body to its end, counting the chunks that carry
 * content (one per token from the mock) and noting when the first one arrived.
 */
export async function readEventStream(body: AsyncIterable<Buffer | string>): Promise<EventStreamSummary> {
  const decoder = new TextDecoder();
  let pending = '';
  let tokens = 0;
  let firstTokenAt: number | undefined;
  const onLine = (line: string) => {
    if (!line.startsWith('data:') || !contentToken.test(line)) return;
    tokens++;
    firstTokenAt ??= performance.now();
  };
  for await (const piece of body) {
    pending += typeof piece === 'string' ? piece : decoder.decode(piece, { stream: true });
    let lineStart = 0;
    let newline = pending.indexOf('\n');
    while (newline !== -1) {
      onLine(pending.slice(lineStart, newline));
      lineStart = newline + 1;
      newline = pending.indexOf('\n', lineStart);
    }
    pending = pending.slice(lineStart);
  }
  if (pending) onLine(pending);
  return { tokens, firstTokenAt };
}
