// Splitters for a streaming response body's decoded text: each takes the text as it
// arrives, in pieces cut anywhere, and returns what those pieces completed. They are plain
// functions, not async generators, so a streamed call reads its body through one loop
// (streamCall) instead of a generator per layer, each costing promises per token.
import { createParser } from 'eventsource-parser';

export type TextSplitter<T> = {
  /** The items completed by this piece of text, in order (often none). */
  feed(text: string): T[];
  /** The items left when the body has ended (a last one without its terminator). */
  end(): T[];
};

export type ServerSentEvent = { event?: string; data: string };

export function serverSentEvents(): TextSplitter<ServerSentEvent> {
  let completed: ServerSentEvent[] = [];
  const parser = createParser({ onEvent: ({ event, data }) => completed.push(event === undefined ? { data } : { event, data }) });
  const take = () => {
    const events = completed;
    completed = [];
    return events;
  };
  return {
    feed(text) {
      parser.feed(text);
      return take();
    },
    end() {
      parser.reset({ consume: true });
      return take();
    },
  };
}

/** NDJSON: one trimmed, non-empty line at a time. */
export function jsonLines(): TextSplitter<string> {
  let partial = '';
  return {
    feed(text) {
      const lines = (partial + text).split('\n');
      partial = lines.pop() ?? '';
      const completed: string[] = [];
      for (const line of lines) {
        const trimmed = line.trim();
        if (trimmed) completed.push(trimmed);
      }
      return completed;
    },
    end() {
      const last = partial.trim();
      partial = '';
      return last ? [last] : [];
    },
  };
}
