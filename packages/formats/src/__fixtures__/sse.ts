// Test helpers for SSE fixtures: read a recorded stream and split it into events.
import { readFileSync } from 'node:fs';

export type SseEvent = { event: string | undefined; data: string };

export function readFixture(name: string): string {
  return readFileSync(new URL(`./${name}`, import.meta.url), 'utf8');
}

export function parseSse(text: string): SseEvent[] {
  return text
    .split(/\n\n+/)
    .filter((block) => block.trim() !== '')
    .map((block) => {
      let event: string | undefined;
      const data: string[] = [];
      for (const line of block.split('\n')) {
        if (line.startsWith('event:')) event = line.slice(6).trim();
        if (line.startsWith('data:')) data.push(line.slice(5).trimStart());
      }
      return { event, data: data.join('\n') };
    });
}

/** The JSON payloads of an OpenAI stream, without the `[DONE]` terminator. */
export function openAIChunks(text: string): unknown[] {
  return parseSse(text)
    .filter((event) => event.data !== '[DONE]')
    .map((event) => JSON.parse(event.data) as unknown);
}

/** A fetch that answers every call with one SSE body, for driving the official SDKs offline. */
export function sseFetch(body: string): typeof globalThis.fetch {
  return async () => new Response(body, { status: 200, headers: { 'content-type': 'text/event-stream' } });
}

export function readJsonFixture(name: string): unknown {
  return JSON.parse(readFixture(name)) as unknown;
}
