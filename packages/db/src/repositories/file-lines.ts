const newline = 0x0a;
const carriageReturn = 0x0d;

/** One line of a stored file: `index` counts from 0 over every line, blank ones included. */
export type StoredFileLine = { index: number; text: string };

/**
 * Splits a byte stream into lines. Splitting happens on bytes (0x0A never occurs inside a
 * multi-byte UTF-8 character), so a chunk boundary in the middle of a character or a line
 * changes nothing. A trailing `\r` is dropped (CRLF), a missing final newline still ends the
 * last line, and the empty remainder after a final newline is not a line. Blank lines are
 * yielded (text `''`) so that `index` is always the line's position in the file. A UTF-8 byte
 * order mark at the very start is dropped.
 */
export async function* splitLines(chunks: AsyncIterable<Buffer>): AsyncIterable<StoredFileLine> {
  let carry: Buffer[] = [];
  let index = 0;
  for await (const chunk of chunks) {
    let start = 0;
    for (let end = chunk.indexOf(newline, start); end !== -1; end = chunk.indexOf(newline, start)) {
      const piece = chunk.subarray(start, end);
      const line = carry.length > 0 ? Buffer.concat([...carry, piece]) : piece;
      carry = [];
      yield { index, text: decodeLine(line, index) };
      index++;
      start = end + 1;
    }
    if (start < chunk.length) carry.push(chunk.subarray(start));
  }
  if (carry.length > 0) yield { index, text: decodeLine(Buffer.concat(carry), index) };
}

function decodeLine(line: Buffer, index: number): string {
  const end = line.length > 0 && line[line.length - 1] === carriageReturn ? line.length - 1 : line.length;
  const text = line.toString('utf8', 0, end);
  return index === 0 && text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

/** Counts lines as `splitLines` would yield them, without keeping any bytes. */
export class LineCounter {
  /** Newlines seen so far: lines known complete. */
  complete = 0;
  private lastByte: number | undefined;

  add(chunk: Uint8Array): void {
    if (chunk.length === 0) return;
    let position = chunk.indexOf(newline);
    while (position !== -1) {
      this.complete++;
      position = chunk.indexOf(newline, position + 1);
    }
    this.lastByte = chunk[chunk.length - 1];
  }

  /** The total, once the stream ended: a last line without its newline counts too. */
  total(): number {
    return this.lastByte === undefined || this.lastByte === newline ? this.complete : this.complete + 1;
  }
}
