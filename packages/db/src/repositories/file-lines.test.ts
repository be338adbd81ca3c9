import { describe, expect, it } from 'vitest';
import { LineCounter, splitLines } from './file-lines.ts';

async function linesOf(pieces: Buffer[]): Promise<string[]> {
  async function* chunks(): AsyncIterable<Buffer> {
    yield* pieces;
  }
  const texts: string[] = [];
  for await (const line of splitLines(chunks())) texts.push(line.text);
  return texts;
}

const sample = Buffer.from('\uFEFFé€😀\r\n\nb\r\n  \r\nlast 😀', 'utf8');
const expected = ['é€😀', '', 'b', '  ', 'last 😀'];

describe('splitLines', () => {
  it('gives the same lines wherever the bytes are cut, even inside a character or a CRLF', async () => {
    for (let cut = 0; cut <= sample.length; cut++) {
      expect(await linesOf([sample.subarray(0, cut), sample.subarray(cut)])).toEqual(expected);
    }
    expect(await linesOf([...sample].map((byte) => Buffer.from([byte])))).toEqual(expected);
  });

  it('has no empty line after a final newline, and none at all for no bytes', async () => {
    expect(await linesOf([Buffer.from('a\nb\n')])).toEqual(['a', 'b']);
    expect(await linesOf([Buffer.from('\n')])).toEqual(['']);
    expect(await linesOf([])).toEqual([]);
  });

  it('numbers lines from 0 and agrees with LineCounter', async () => {
    for (const text of ['a\nb\n', 'a\nb', '\n\n', '', 'x', 'a\r\n\r\n']) {
      const counter = new LineCounter();
      counter.add(Buffer.from(text));
      expect((await linesOf([Buffer.from(text)])).length).toBe(counter.total());
    }
  });
});
