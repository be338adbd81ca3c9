/** A deterministic unit vector from a hash of the text (FNV-1a per dimension, then mixed): the
 * built-in mock provider's embeddings, shared with the mock upstreams so tests can predict them. */
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
