// Postgres refuses a NUL character (\u0000) anywhere in a jsonb value, and one refused
// record fails its whole batch, which is retried for ever and holds back every record
// behind it. A client can put a NUL in a prompt (echoed into the output) or in metadata,
// so NULs become U+FFFD, the replacement character, before the row is written.

/** `\u0000` escapes in JSON text, but not `\\u0000` (an escaped backslash, then "u0000"). */
const nulEscape = /(?<!\\)((?:\\\\)*)\\u0000/g;

export function toPostgresJson(value: unknown): string | null {
  return value === undefined ? null : JSON.stringify(value).replace(nulEscape, '$1\\ufffd');
}
