// The answer to one chat call, whatever the dialect: text or a forced tool call, and the
// token counts to report.
import { countWords, expectedMockAnswer, wordPieces } from './mock-answer.ts';
import type { MockBehavior } from './types.ts';

/** What a dialect extracts from its request body. */
export type ChatDigest = {
  model: string;
  /** Every text of every message (system and tool results included). */
  messagesText: string[];
  lastUserText: string;
  maxTokens?: number;
  /** The tool the request forces, when it has tools and forces one. */
  forcedTool?: string;
  /** The answer ends before the first of these it contains (dialects that honour them fill it). */
  stopSequences?: string[];
};

export type ChatAnswer = {
  text: string;
  /** The text (or the tool arguments) as streamed: one piece per word. */
  pieces: string[];
  toolCall?: { name: string; arguments: string };
  inputTokens: number;
  outputTokens: number;
  cachedTokens: number;
  cacheWriteTokens: number;
  truncated: boolean;
  /** The stop sequence the answer ended on. */
  stopSequence?: string;
};

export function answerChat(digest: ChatDigest, behavior: MockBehavior): ChatAnswer {
  const cachedTokens = behavior.usage?.cached ?? 0;
  const cacheWriteTokens = behavior.usage?.cacheWrite ?? 0;
  if (digest.forcedTool !== undefined) {
    const argumentsText = behavior.toolArguments ?? '{}';
    return {
      text: '',
      pieces: wordPieces(argumentsText),
      toolCall: { name: digest.forcedTool, arguments: argumentsText },
      inputTokens: behavior.usage?.input ?? expectedMockAnswer(digest.messagesText, '').inputTokens,
      outputTokens: behavior.usage?.output ?? countWords(argumentsText),
      cachedTokens,
      cacheWriteTokens,
      truncated: false,
    };
  }
  const answer = expectedMockAnswer(digest.messagesText, digest.lastUserText, { text: behavior.text, maxTokens: digest.maxTokens });
  const stop = firstStop(answer.text, digest.stopSequences ?? []);
  const text = stop ? answer.text.slice(0, stop.index) : answer.text;
  const pieces = wordPieces(text);
  const result: ChatAnswer = {
    text,
    pieces,
    inputTokens: behavior.usage?.input ?? answer.inputTokens,
    outputTokens: behavior.usage?.output ?? (stop ? pieces.length : answer.outputTokens),
    cachedTokens,
    cacheWriteTokens,
    truncated: stop ? false : answer.truncated,
  };
  if (stop) result.stopSequence = stop.sequence;
  return result;
}

/** The stop sequence that occurs first in the text (the longer one on a tie), as a model would stop on it. */
function firstStop(text: string, sequences: string[]): { index: number; sequence: string } | undefined {
  let first: { index: number; sequence: string } | undefined;
  for (const sequence of sequences) {
    const index = sequence === '' ? -1 : text.indexOf(sequence);
    if (index < 0) continue;
    if (!first || index < first.index || (index === first.index && sequence.length > first.sequence.length)) first = { index, sequence };
  }
  return first;
}

/** Text of a content field that is either a string or a list of typed blocks (tool results count unless told not to). */
export function textsOf(content: unknown, includeToolResults = true): string[] {
  if (typeof content === 'string') return [content];
  if (!Array.isArray(content)) return [];
  const texts: string[] = [];
  for (const block of content) {
    if (typeof block !== 'object' || block === null) continue;
    const { type, text, content: nested } = block as { type?: unknown; text?: unknown; content?: unknown };
    if (type === 'text' && typeof text === 'string') texts.push(text);
    else if (type === 'tool_result' && includeToolResults) texts.push(...textsOf(nested));
  }
  return texts;
}

export function asRecord(value: unknown): Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

export function asArray(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

export function asNumber(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}
