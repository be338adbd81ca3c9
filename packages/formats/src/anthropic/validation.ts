// Field checks for Anthropic Messages request bodies. Messages follow the Anthropic API's
// own wording (`messages.0.role: Input should be 'user' or 'assistant'`), and `param` is
// the same dotted path.
import { GatewayError } from '@switchyard/core';
import { isRecord } from '../shared/json.ts';

export function invalid(path: string | null, message: string): never {
  throw new GatewayError('invalid_request', path === null ? message : `${path}: ${message}`, { param: path });
}

/** Optional fields sent as `null` are treated as absent. */
export function isAbsent(value: unknown): value is undefined | null {
  return value === undefined || value === null;
}

export function requireRecord(value: unknown, path: string): Record<string, unknown> {
  if (value === undefined) invalid(path, 'Field required');
  if (!isRecord(value)) invalid(path, 'Input should be a valid dictionary');
  return value;
}

export function requireArray(value: unknown, path: string): unknown[] {
  if (value === undefined) invalid(path, 'Field required');
  if (!Array.isArray(value)) invalid(path, 'Input should be a valid list');
  return value;
}

export function requireString(value: unknown, path: string): string {
  if (value === undefined) invalid(path, 'Field required');
  if (typeof value !== 'string') invalid(path, 'Input should be a valid string');
  return value;
}

export function requireOneOf<const T extends string>(value: unknown, path: string, allowed: readonly T[]): T {
  if (typeof value === 'string' && (allowed as readonly string[]).includes(value)) return value as T;
  if (value === undefined) invalid(path, 'Field required');
  const list = allowed.map((item) => `'${item}'`);
  const expected = list.length > 1 ? `${list.slice(0, -1).join(', ')} or ${list.at(-1)}` : (list[0] ?? '');
  return invalid(path, `Input should be ${expected}`);
}

export function requireInteger(value: unknown, path: string, minimum: number): number {
  if (value === undefined || value === null) invalid(path, 'Field required');
  if (typeof value !== 'number' || !Number.isSafeInteger(value)) invalid(path, 'Input should be a valid integer');
  if (value < minimum) invalid(path, `Input should be greater than or equal to ${minimum}`);
  return value;
}

export function optionalInteger(value: unknown, path: string, minimum: number): number | undefined {
  return isAbsent(value) ? undefined : requireInteger(value, path, minimum);
}

export function optionalNumber(value: unknown, path: string, range: { min: number; max: number }): number | undefined {
  if (isAbsent(value)) return undefined;
  if (typeof value !== 'number' || !Number.isFinite(value)) invalid(path, 'Input should be a valid number');
  if (value < range.min) invalid(path, `Input should be greater than or equal to ${range.min}`);
  if (value > range.max) invalid(path, `Input should be less than or equal to ${range.max}`);
  return value;
}

export function optionalBoolean(value: unknown, path: string): boolean | undefined {
  if (isAbsent(value)) return undefined;
  if (typeof value !== 'boolean') invalid(path, 'Input should be a valid boolean');
  return value;
}

export function optionalString(value: unknown, path: string): string | undefined {
  return isAbsent(value) ? undefined : requireString(value, path);
}
