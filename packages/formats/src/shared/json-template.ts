// A JSON document that differs from one call to the next in a single string: serialized
// once with that string empty, then filled in by serializing only the string. Streams
// render one such chunk per token, and serializing the whole chunk each time is most of
// what rendering a token costs.

export type JsonTemplate = { fill(text: string): string };

/**
 * `value` serialized, with `slot` (the empty string's member as serialized, e.g.
 * `"content":""`) as the place to fill. The slot is found from the end: inside a JSON
 * string a quote is always escaped, so the unescaped slot cannot occur within another
 * string, and the last occurrence is the member itself.
 */
export function jsonTemplate(value: unknown, slot: string): JsonTemplate {
  const json = JSON.stringify(value);
  const at = json.lastIndexOf(slot);
  if (at < 0 || !slot.endsWith('""')) throw new Error(`json template: no ${slot} in ${json}`);
  const head = json.slice(0, at + slot.length - 2);
  const tail = json.slice(at + slot.length);
  return { fill: (text) => `${head}${JSON.stringify(text)}${tail}` };
}
