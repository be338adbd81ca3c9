// "Did you mean ...": the known names closest to one that is not known. Pure, so the api's
// 404 and the config loader's unknown-key message share it.

/** Levenshtein distance, case-insensitive. */
export function editDistance(left: string, right: string): number {
  const a = left.toLowerCase();
  const b = right.toLowerCase();
  let previous = Array.from({ length: b.length + 1 }, (_, index) => index);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length]!;
}

const wordsOf = (name: string): string[] =>
  name
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter((word) => word.length >= 3 && !/^\d+$/.test(word));

export type NameCandidate = {
  name: string;
  /** More words that count as the candidate's own, e.g. its provider's name. */
  keywords?: string[];
};

/**
 * Up to `limit` candidates, closest first: those sharing the most words (of three letters
 * or more) with `name` (a candidate sharing fewer than the best is left out, so one common
 * word such as "large" does not drag in unrelated names), and those within a few typos.
 */
export function suggestNames(name: string, candidates: ReadonlyArray<string | NameCandidate>, limit = 3): string[] {
  const words = new Set(wordsOf(name));
  const typoBudget = Math.max(2, Math.floor(name.length / 3));
  const scored = candidates.map((candidate) => {
    const { name: candidateName, keywords = [] } = typeof candidate === 'string' ? { name: candidate } : candidate;
    const candidateWords = new Set([...wordsOf(candidateName), ...keywords.flatMap(wordsOf)]);
    const shared = [...words].filter((word) => candidateWords.has(word)).length;
    return { name: candidateName, shared, distance: editDistance(name, candidateName) };
  });
  const mostShared = Math.max(0, ...scored.map((entry) => entry.shared));
  return scored
    .filter((entry) => entry.name !== name && ((entry.shared > 0 && entry.shared === mostShared) || entry.distance <= typoBudget))
    .sort((left, right) => right.shared - left.shared || left.distance - right.distance || left.name.localeCompare(right.name))
    .slice(0, limit)
    .map((entry) => entry.name);
}
