// Postgres text and jsonb cannot hold U+0000, and a lone UTF-16 surrogate is not valid
// Unicode at all; JavaScript strings (a client's metadata, a prompt an upstream echoes,
// upstream content) can carry both. One such string would make its whole row unwritable,
// so text is made storable before it reaches the database.

const replacement = '\uFFFD';

/** `text` with every U+0000 and every lone surrogate replaced by U+FFFD; other text unchanged. */
export function storableText(text: string): string {
  // toWellFormed replaces lone surrogates with U+FFFD and leaves valid pairs alone.
  const wellFormed = text.isWellFormed() ? text : text.toWellFormed();
  return wellFormed.includes('\u0000') ? wellFormed.replaceAll('\u0000', replacement) : wellFormed;
}

/**
 * A copy of a JSON value with every string, object keys included, made storable; values
 * that need no change are returned as they are. Non-JSON values (dates, class instances)
 * are left alone: they are not what a ledger record carries.
 */
export function storableJson<T>(value: T): T {
  return walk(value) as T;
}

function walk(value: unknown): unknown {
  if (typeof value === 'string') return storableText(value);
  if (Array.isArray(value)) {
    let changed = false;
    const items = value.map((item) => {
      const storable = walk(item);
      if (storable !== item) changed = true;
      return storable;
    });
    return changed ? items : value;
  }
  if (isPlainObject(value)) {
    let changed = false;
    const entries = Object.entries(value).map(([key, item]) => {
      const storableKey = storableText(key);
      const storable = walk(item);
      if (storableKey !== key || storable !== item) changed = true;
      return [storableKey, storable] as const;
    });
    return changed ? Object.fromEntries(entries) : value;
  }
  return value;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== 'object') return false;
  const prototype = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}
