// The deterministic answer every mock upstream gives, exported so tests compute the same
// numbers the servers send.

export type MockAnswer = {
  text: string;
  inputTokens: number;
  outputTokens: number;
  /** True when the answer was cut to `maxTokens` words. */
  truncated: boolean;
};

/** Words with their leading whitespace; trailing whitespace stays on the last word, so the pieces join back to the text. */
export function wordPieces(text: string): string[] {
  const pieces = text.match(/\s*\S+/g) ?? [];
  const joinedLength = pieces.reduce((length, piece) => length + piece.length, 0);
  if (pieces.length > 0 && joinedLength < text.length) pieces[pieces.length - 1] += text.slice(joinedLength);
  return pieces;
}

export function countWords(text: string): number {
  return text.match(/\S+/g)?.length ?? 0;
}

/** ceil(characters / 4), over all message text. */
export function estimateInputTokens(texts: string[]): number {
  let characters = 0;
  for (const text of texts) characters += text.length;
  return Math.ceil(characters / 4);
}

export function expectedMockAnswer(messagesText: string[], lastUserText: string, options: { text?: string; maxTokens?: number } = {}): MockAnswer {
  let text = options.text ?? `echo: ${lastUserText}`;
  let pieces = wordPieces(text);
  const truncated = options.maxTokens !== undefined && pieces.length > options.maxTokens;
  if (truncated) {
    pieces = pieces.slice(0, options.maxTokens);
    text = pieces.join('');
  }
  return { text, inputTokens: estimateInputTokens(messagesText), outputTokens: pieces.length, truncated };
}

export { mockEmbedding } from '@switchyard/core';
