// Provider `options` are free-form in the config file; each kind checks its own here, so
// a typo stops start-up instead of being silently ignored.
import type { z } from 'zod';

/** A provider's `options` hold a key its kind does not know, or a bad value. */
export class ProviderOptionsError extends Error {
  /** Under `options`, e.g. `['preset']`. */
  readonly path: string[];

  constructor(path: string[], message: string) {
    super(message);
    this.name = 'ProviderOptionsError';
    this.path = path;
  }
}

export function parseOptions<T>(schema: z.ZodType<T>, options: Record<string, unknown>): T {
  const parsed = schema.safeParse(options);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0]!;
  if (issue.code === 'unrecognized_keys') throw new ProviderOptionsError([...issue.path.map(String), issue.keys[0]!], 'unknown option');
  throw new ProviderOptionsError(issue.path.map(String), issue.message);
}
