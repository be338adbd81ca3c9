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

export function expectedMockAnswer(
  messagesText: string[],
  lastUserText: string,
  options: { text?: string; maxTokens?: number } = {},
): MockAnswer {
  let text = options.text ?? `echo: ${lastUserText}`;
  let pieces = wordPieces(text);
  const truncated = options.maxTokens !== undefined && pieces.length > options.maxTokens;
  if (truncated) {
    pieces = pieces.slice(0, options.maxTokens);
    text = pieces.join('');
  }
  return { text, inputTokens: estimateInputTokens(messagesText), outputTokens: pieces.length, truncated };
}

/** A deterministic unit vector derived from the text (FNV-1a per dimension, then mixed). */
export function mockEmbedding(text: string, dimensions: number): number[] {
  const vector: number[] = [];
  let norm = 0;
  for (let dimension = 0; dimension < dimensions; dimension++) {
    let hash = 0x811c9dc5 ^ dimension;
    for (let index = 0; index < text.length; index++) {
      hash ^= text.charCodeAt(index);
      hash = Math.imul(hash, 0x01000193);
    }
    hash = Math.imul(hash ^ (hash >>> 16), 0x85ebca6b);
    hash = Math.imul(hash ^ (hash >>> 13), 0xc2b2ae35);
    hash ^= hash >>> 16;
    const value = ((hash >>> 0) / 4294967295) * 2 - 1;
    vector.push(value);
    norm += value * value;
  }
  const length = Math.sqrt(norm) || 1;
  return vector.map((value) => value / length);
}
