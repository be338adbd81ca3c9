// The reading side of json-template.ts. Most events of an upstream stream are one JSON
// document again and again with only its text changed (a token's delta): the same id,
// model, index and nulls around a different string. Once one such event has been parsed in
// full, the text on either side of its string is known, and a later event that has that
// same text on either side of one string literal is that document with another string:
// only the literal needs parsing. Parsing every event whole was the largest single cost of
// a streaming worker's CPU profile.

export type JsonStringSlot = {
  /** The string in the slot when `text` is the learned document with another string there; undefined otherwise. */
  read(text: string): string | undefined;
  /**
   * Learns `text` (parsed, `value`) as the document around its string at the slot's path,
   * if that member can be found in the text and nothing else in it is that member. Gives up
   * after a few documents learned in a row that no later text matched (an upstream whose
   * events differ in more than the one string), so such a stream pays no more than a few
   * extra parses.
   */
  learn(text: string, value: unknown): void;
};

const maxUnusedLearns = 4;
// Substituted for the string to check that the slot found is the member at the path.
const probe = '\u0001';

export function createJsonStringSlot(path: readonly (string | number)[]): JsonStringSlot {
  const key = path.at(-1);
  if (typeof key !== 'string') throw new Error('json string slot: the path must end in a member name');
  const quotedKey = JSON.stringify(key);
  let head: string | undefined;
  let tail = '';
  let unusedLearns = 0;

  return {
    read(text) {
      if (head === undefined || text.length < head.length + tail.length + 2) return undefined;
      // Compared as slices: V8's startsWith and endsWith go char by char, ~10x slower than
      // string equality for heads this long (~200 characters).
      if (text.slice(0, head.length) !== head || text.slice(text.length - tail.length) !== tail) return undefined;
      const literal = text.slice(head.length, text.length - tail.length);
      // A string token alone: it opens and closes with a quote and parses as a string, so
      // the text is the learned document, token for token, with this string in the slot.
      if (literal.charCodeAt(0) !== 0x22 || literal.charCodeAt(literal.length - 1) !== 0x22) return undefined;
      let value: unknown;
      try {
        value = JSON.parse(literal);
      } catch {
        return undefined;
      }
      if (typeof value !== 'string') return undefined;
      unusedLearns = 0;
      return value;
    },

    learn(text, value) {
      if (unusedLearns >= maxUnusedLearns) return;
      const current = valueAt(value, path);
      if (typeof current !== 'string') return;
      unusedLearns++;
      head = undefined;
      for (let at = text.indexOf(quotedKey); at >= 0; at = text.indexOf(quotedKey, at + 1)) {
        const literal = stringLiteralAfterKey(text, at + quotedKey.length);
        if (!literal) continue;
        const candidateHead = text.slice(0, literal.start);
        const candidateTail = text.slice(literal.end);
        if (isSlot(text, candidateHead, candidateTail, path, current)) {
          head = candidateHead;
          tail = candidateTail;
          return;
        }
      }
    },
  };
}

/** Where the string literal of a member starts and ends, when `from` is just past its quoted name. */
function stringLiteralAfterKey(text: string, from: number): { start: number; end: number } | undefined {
  let at = skipWhitespace(text, from);
  if (text[at] !== ':') return undefined;
  at = skipWhitespace(text, at + 1);
  if (text[at] !== '"') return undefined;
  const start = at;
  for (at = start + 1; at < text.length; at++) {
    const char = text[at];
    if (char === '\\') at++;
    else if (char === '"') return { start, end: at + 1 };
  }
  return undefined;
}

function skipWhitespace(text: string, from: number): number {
  let at = from;
  while (at < text.length && (text[at] === ' ' || text[at] === '\t' || text[at] === '\n' || text[at] === '\r')) at++;
  return at;
}

/** The candidate's literal holds the member's string, and putting another string there changes that member and nothing else. */
function isSlot(text: string, head: string, tail: string, path: readonly (string | number)[], current: string): boolean {
  try {
    if (JSON.parse(text.slice(head.length, text.length - tail.length)) !== current) return false;
    const probed: unknown = JSON.parse(`${head}${JSON.stringify(probe)}${tail}`);
    const expected: unknown = JSON.parse(text);
    setAt(expected, path, probe);
    return JSON.stringify(probed) === JSON.stringify(expected);
  } catch {
    return false;
  }
}

function valueAt(value: unknown, path: readonly (string | number)[]): unknown {
  let node = value;
  for (const step of path) {
    if (typeof node !== 'object' || node === null) return undefined;
    node = (node as Record<string | number, unknown>)[step];
  }
  return node;
}

function setAt(value: unknown, path: readonly (string | number)[], replacement: string): void {
  const parent = valueAt(value, path.slice(0, -1)) as Record<string | number, unknown>;
  parent[path.at(-1)!] = replacement;
}
