// Field checks for OpenAI-format request bodies. Messages and `param` follow the OpenAI
// API's own wording so SDK users see the errors they already know.
import { GatewayError } from '@switchyard/core';
import { isRecord } from '../shared/json.ts';

export function invalid(param: string | null, message: string): never {
  throw new GatewayError('invalid_request', message, { param });
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'an integer' : 'a decimal';
  if (typeof value === 'string') return 'a string';
  if (typeof value === 'boolean') return 'a boolean';
  if (typeof value === 'object') return 'an object';
  return `a ${typeof value}`;
}

function wrongType(param: string, expected: string, value: unknown): never {
  return invalid(param, `Invalid type for '${param}': expected ${expected}, but got ${describe(value)} instead.`);
}

/** OpenAI accepts `null` for every optional parameter and treats it as absent. */
export function isAbsent(value: unknown): value is undefined | null {
  return value === undefined || value === null;
}

export function requireRecord(value: unknown, param: string): Record<string, unknown> {
  if (!isRecord(value)) wrongType(param, 'an object', value);
  return value;
}

export function requireArray(value: unknown, param: string): unknown[] {
  if (!Array.isArray(value)) wrongType(param, 'an array', value);
  return value;
}

export function requireString(value: unknown, param: string): string {
  if (value === undefined) invalid(param, `Missing required parameter: '${param}'.`);
  if (typeof value !== 'string') wrongType(param, 'a string', value);
  return value;
}

export function requireNonEmptyString(value: unknown, param: string): string {
  const text = requireString(value, param);
  if (text.length === 0) {
    invalid(param, `Invalid '${param}': empty string. Expected a string with minimum length 1, but got an empty string instead.`);
  }
  return text;
}

export function requireOneOf<const T extends string>(value: unknown, param: string, allowed: readonly T[]): T {
  if (typeof value === 'string' && (allowed as readonly string[]).includes(value)) return value as T;
  const list = allowed.map((item) => `'${item}'`);
  const supported = list.length > 1 ? `${list.slice(0, -1).join(', ')}, and ${list.at(-1)}` : (list[0] ?? '');
  return invalid(param, `Invalid value: ${JSON.stringify(value)}. Supported values are: ${supported}.`);
}

export function optionalString(value: unknown, param: string): string | undefined {
  if (isAbsent(value)) return undefined;
  if (typeof value !== 'string') wrongType(param, 'a string', value);
  return value;
}

export function optionalBoolean(value: unknown, param: string): boolean | undefined {
  if (isAbsent(value)) return undefined;
  if (typeof value !== 'boolean') wrongType(param, 'a boolean', value);
  return value;
}

export function optionalNumber(value: unknown, param: string, range: { min: number; max: number }): number | undefined {
  if (isAbsent(value)) return undefined;
  if (typeof value !== 'number' || !Number.isFinite(value)) wrongType(param, 'a decimal', value);
  if (value < range.min) {
    invalid(param, `Invalid '${param}': decimal below minimum value. Expected a value >= ${range.min}, but got ${value} instead.`);
  }
  if (value > range.max) {
    invalid(param, `Invalid '${param}': decimal above maximum value. Expected a value <= ${range.max}, but got ${value} instead.`);
  }
  return value;
}

export function optionalInteger(value: unknown, param: string, minimum?: number): number | undefined {
  if (isAbsent(value)) return undefined;
  // 1e300 is an integer to JavaScript, but not one any API field can hold.
  if (typeof value === 'number' && Number.isInteger(value) && !Number.isSafeInteger(value)) {
    const [bound, limit] = value > 0 ? ['above maximum', `<= ${Number.MAX_SAFE_INTEGER}`] : ['below minimum', `>= ${minimum ?? Number.MIN_SAFE_INTEGER}`];
    invalid(param, `Invalid '${param}': integer ${bound} value. Expected a value ${limit}, but got ${value} instead.`);
  }
  if (typeof value !== 'number' || !Number.isSafeInteger(value)) wrongType(param, 'an integer', value);
  if (minimum !== undefined && value < minimum) {
    invalid(param, `Invalid '${param}': integer below minimum value. Expected a value >= ${minimum}, but got ${value} instead.`);
  }
  return value;
}

/** `logit_bias`: token ids (as decimal strings) -> a bias from -100 to 100, checked as OpenAI checks it. */
export function optionalLogitBias(value: unknown, param: string): Record<string, number> | undefined {
  if (isAbsent(value)) return undefined;
  const entries = Object.entries(requireRecord(value, param));
  const bias: Record<string, number> = {};
  for (const [token, weight] of entries) {
    // The pattern also keeps `__proto__` and friends out of the plain object below.
    if (!/^\d{1,10}$/.test(token)) invalid(param, `Invalid key in '${param}': ${JSON.stringify(token)}. You should only be submitting non-negative integers.`);
    const weightParam = `${param}.${token}`;
    if (typeof weight !== 'number') wrongType(weightParam, 'a decimal', weight);
    bias[token] = optionalNumber(weight, weightParam, { min: -100, max: 100 })!;
  }
  return entries.length > 0 ? bias : undefined;
}

/** `stop`: a string or up to four strings, as OpenAI allows. */
export function optionalStop(value: unknown, param: string): string[] | undefined {
  if (isAbsent(value)) return undefined;
  if (typeof value === 'string') return [value];
  const items = requireArray(value, param);
  if (items.length > 4) {
    invalid(param, `Invalid '${param}': array too long. Expected an array with maximum length 4, but got an array with length ${items.length} instead.`);
  }
  const stop = items.map((item, index) => requireString(item, `${param}[${index}]`));
  return stop.length > 0 ? stop : undefined;
}

/** `n` must be absent or 1: the gateway returns a single choice. */
export function requireSingleChoice(value: unknown): void {
  const n = optionalInteger(value, 'n', 1);
  if (n !== undefined && n > 1) invalid('n', 'n > 1 is not supported');
}

export function requireBody(body: unknown): Record<string, unknown> {
  if (!isRecord(body)) invalid(null, 'The request body must be a JSON object.');
  return body;
}

export function requireModel(value: unknown): string {
  if (value === undefined || value === null || value === '') invalid('model', 'you must provide a model parameter');
  return requireString(value, 'model');
}
