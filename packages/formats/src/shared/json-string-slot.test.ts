import { describe, expect, it } from 'vitest';
import { createJsonStringSlot } from './json-string-slot.ts';

const path = ['choices', 0, 'delta', 'content'] as const;
const chunk = (content: string, extra: Record<string, unknown> = {}) => ({
  id: 'chatcmpl-1',
  model: 'gpt-4o',
  choices: [{ index: 0, delta: { content }, finish_reason: null }],
  usage: null,
  ...extra,
});

function learned(text: string) {
  const slot = createJsonStringSlot(path);
  slot.learn(text, JSON.parse(text));
  return slot;
}

describe('createJsonStringSlot', () => {
  it('reads the string of a document that differs from the learned one only there, escapes and all', () => {
    const slot = learned(JSON.stringify(chunk('Hello')));
    for (const text of ['', ' world', 'say "hi"', 'back\\slash', 'line\nbreak', '\u2028', '😀 emoji', '"', '\\', '"content":"x"'])
      expect(slot.read(JSON.stringify(chunk(text)))).toBe(text);
    // Escapes the upstream chose, not JSON.stringify's: still the same string.
    expect(slot.read(JSON.stringify(chunk('x')).replace('"x"', '"\\u00e9\\/"'))).toBe('é/');
  });

  it('reads nothing when anything else in the document differs', () => {
    const slot = learned(JSON.stringify(chunk('Hello')));
    expect(slot.read(JSON.stringify(chunk('x', { id: 'chatcmpl-2' })))).toBeUndefined();
    expect(slot.read(JSON.stringify({ ...chunk('x'), choices: [{ index: 0, delta: { content: 'x' }, finish_reason: 'stop' }] }))).toBeUndefined();
    expect(slot.read(JSON.stringify(chunk('x', { usage: { prompt_tokens: 1 } })))).toBeUndefined();
    expect(slot.read('not json')).toBeUndefined();
    // The learned head and tail around something that is not one string literal.
    const [head, tail] = JSON.stringify(chunk('SLOT')).split('"SLOT"') as [string, string];
    expect(slot.read(`${head}"a"}],"extra":[{"b":"c"${tail}`)).toBeUndefined();
    expect(slot.read(`${head}"a" , "b"${tail}`)).toBeUndefined();
    expect(slot.read(`${head}1${tail}`)).toBeUndefined();
    expect(slot.read(`${head}"unterminated\\"${tail}`)).toBeUndefined();
  });

  it('finds the member itself when its name also appears elsewhere: inside a string, or as another member with the same string', () => {
    const around = (content: string) => ({ note: { content: 'same' }, ...chunk(content, { id: 'x"content":"decoy"' }) });
    const slot = learned(JSON.stringify(around('same')));
    expect(slot.read(JSON.stringify(around('next')))).toBe('next');
    expect(slot.read(JSON.stringify({ ...around('same'), note: { content: 'next' } }))).toBeUndefined();
  });

  it('learns pretty-printed JSON, with whitespace around the colon', () => {
    const slot = learned(JSON.stringify(chunk('a'), null, 2));
    expect(slot.read(JSON.stringify(chunk('b c'), null, 2))).toBe('b c');
  });

  it('learns nothing from a document whose member is repeated where the first copy does not count', () => {
    // JSON.parse keeps the last of two same-named members: the first is not the slot.
    const text = '{"choices":[{"delta":{"content":"first","content":"last"}}]}';
    const slot = learned(text);
    expect(slot.read('{"choices":[{"delta":{"content":"other","content":"last"}}]}')).toBeUndefined();
    expect(slot.read('{"choices":[{"delta":{"content":"first","content":"other"}}]}')).toBe('other');
  });

  it('learns nothing when the string is not at the path', () => {
    const slot = createJsonStringSlot(path);
    const text = JSON.stringify({ choices: [{ delta: { content: null } }] });
    slot.learn(text, JSON.parse(text));
    expect(slot.read(text)).toBeUndefined();
  });

  it('stops learning after documents that no later text matched', () => {
    const slot = createJsonStringSlot(path);
    // An upstream that varies another field in every event (random padding, say).
    const texts = Array.from({ length: 6 }, (_, index) => JSON.stringify(chunk(`t${index}`, { obfuscation: `pad${index}` })));
    for (const text of texts.slice(0, 4)) {
      expect(slot.read(text)).toBeUndefined();
      slot.learn(text, JSON.parse(text));
    }
    slot.learn(texts[4]!, JSON.parse(texts[4]!));
    // The fifth was not learned: the fourth's template is still the one held.
    expect(slot.read(JSON.stringify(chunk('x', { obfuscation: 'pad4' })))).toBeUndefined();
    expect(slot.read(JSON.stringify(chunk('x', { obfuscation: 'pad3' })))).toBe('x');
  });

  it('learns again once a learned document was matched', () => {
    const slot = createJsonStringSlot(path);
    for (let index = 0; index < 10; index++) {
      const text = JSON.stringify(chunk('a', { id: `id${index}` }));
      slot.learn(text, JSON.parse(text));
      expect(slot.read(JSON.stringify(chunk('b', { id: `id${index}` })))).toBe('b');
    }
  });
});
