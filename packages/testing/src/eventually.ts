import { inspect } from 'node:util';

export type EventuallyOptions = {
  /** How long to keep trying. Generous by default: a loaded CI machine is slow, never wrong. */
  timeoutMs?: number;
  /** Pause between tries. */
  intervalMs?: number;
};

type Truthy<T> = Exclude<T, false | 0 | '' | null | undefined>;

const defaultTimeoutMs = 30_000;
const defaultIntervalMs = 25;

/** Thrown by a probe to stop at once: what it waits for can no longer happen. */
export class GiveUp extends Error {}

/**
 * Calls `probe` until it returns a truthy value, and returns that value. A probe that
 * throws (a failed `expect`, a refused connection) is tried again; one that throws
 * `GiveUp` ends the wait at once. When time runs out the error names `what` was awaited
 * and shows the last value or error, so a timeout says what never happened.
 */
export async function eventually<T>(what: string, probe: () => T | Promise<T>, options: EventuallyOptions = {}): Promise<Truthy<T>> {
  const timeoutMs = options.timeoutMs ?? defaultTimeoutMs;
  const intervalMs = options.intervalMs ?? defaultIntervalMs;
  const deadline = Date.now() + timeoutMs;
  let last: { value: unknown } | { error: unknown } = { value: undefined };
  for (;;) {
    try {
      const value = await probe();
      if (value) return value as Truthy<T>;
      last = { value };
    } catch (error) {
      if (error instanceof GiveUp) throw new Error(`gave up waiting for ${what}: ${error.message}`, { cause: error });
      last = { error };
    }
    if (Date.now() >= deadline) break;
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
  const seen =
    'error' in last ? `the last try threw ${describeError(last.error)}` : `the last try returned ${inspect(last.value, { depth: 3, breakLength: Infinity })}`;
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}; ${seen}`, 'error' in last ? { cause: last.error } : undefined);
}

function describeError(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : inspect(error);
}
