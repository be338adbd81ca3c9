import { createHash } from 'node:crypto';
import type { Usage } from './canonical.ts';

// Exact USD arithmetic on decimal strings. Prices are USD per million tokens with at most
// 9 fraction digits, so a cost (tokens × price / 1e6) needs at most 15: every amount here
// is a BigInt count of 1e-15 USD, never a float. An image price is USD per image (also
// at most 9 fraction digits), so images × price fits the same scale.

/**
 * USD per million tokens. `cachedInput` prices cache reads, `cacheWrite` cache writes; both
 * default to `input`. `image` is USD per generated image (`/v1/images/generations`).
 */
export type Pricing = { input: string; output: string; cachedInput?: string; cacheWrite?: string; image?: string };

const costScale = 15;
const priceScale = 9;
const decimalPattern = /^(\d+)(?:\.(\d+))?$/;

/**
 * Cost of one call. `inputTokens` includes `cachedInputTokens` (billed at `cachedInput`)
 * and `cacheWriteInputTokens` (billed at `cacheWrite`); the rest bill at `input`. Images
 * bill at `image` each (no image price: they cost nothing beyond their tokens).
 */
export function costUsd(usage: Usage, pricing: Pricing): string {
  const input = BigInt(tokens(usage.inputTokens));
  // A provider's parts never add up to more than its whole: clamp rather than bill phantom tokens.
  const cached = min(BigInt(tokens(usage.cachedInputTokens ?? 0)), input);
  const cacheWrite = min(BigInt(tokens(usage.cacheWriteInputTokens ?? 0)), input - cached);
  const uncached = input - cached - cacheWrite;
  const prices = priceUnitsOf(pricing);
  // token × (price in 1e-9 USD) per 1e6 tokens = token × price in 1e-15 USD.
  const tokenUnits =
    uncached * prices.input + cached * prices.cachedInput + cacheWrite * prices.cacheWrite + BigInt(tokens(usage.outputTokens)) * prices.output;
  // image × (price in 1e-9 USD) × 1e6 = image × price in 1e-15 USD.
  const units = tokenUnits + BigInt(tokens(usage.images ?? 0)) * prices.image * 1_000_000n;
  return fromUnits(units, costScale);
}

type PriceUnits = { input: bigint; output: bigint; cachedInput: bigint; cacheWrite: bigint; image: bigint };

// Price tables are config objects, replaced (not mutated) on reload: parsed once per table.
const priceUnits = new WeakMap<Pricing, PriceUnits>();

/** A table's prices in 1e-9 USD (a malformed price throws, every call, as it did when parsed per call). */
function priceUnitsOf(pricing: Pricing): PriceUnits {
  let units = priceUnits.get(pricing);
  if (units === undefined) {
    const input = toUnits(pricing.input, priceScale);
    units = {
      input,
      output: toUnits(pricing.output, priceScale),
      cachedInput: pricing.cachedInput === undefined ? input : toUnits(pricing.cachedInput, priceScale),
      cacheWrite: pricing.cacheWrite === undefined ? input : toUnits(pricing.cacheWrite, priceScale),
      image: pricing.image === undefined ? 0n : toUnits(pricing.image, priceScale),
    };
    priceUnits.set(pricing, units);
  }
  return units;
}

export function addUsd(a: string, b: string): string {
  const scale = Math.max(scaleOf(a), scaleOf(b));
  return fromUnits(toUnits(a, scale) + toUnits(b, scale), scale);
}

/** -1, 0 or 1, as `a` is less than, equal to or greater than `b`. */
export function compareUsd(a: string, b: string): -1 | 0 | 1 {
  const scale = Math.max(scaleOf(a), scaleOf(b));
  const difference = toUnits(a, scale) - toUnits(b, scale);
  return difference < 0n ? -1 : difference > 0n ? 1 : 0;
}

/** The plain form of an amount: `0.075000` -> `0.075`, `3.0` -> `3`. */
export function normalizeUsd(value: string): string {
  return fromUnits(toUnits(value, scaleOf(value)), scaleOf(value));
}

/** Rounds half up to `digits` fraction digits (for display; the exact amount stays the record). */
export function roundUsd(value: string, digits: number): string {
  const scale = scaleOf(value);
  if (scale <= digits) return normalizeUsd(value);
  const divisor = 10n ** BigInt(scale - digits);
  const units = toUnits(value, scale);
  return fromUnits((units + divisor / 2n) / divisor, digits);
}

// One hash per table, like the parsed prices above.
const versions = new WeakMap<Pricing, string>();

/** A short stable id of the prices, stored with each usage record so costs can be audited. */
export function priceVersion(pricing: Pricing): string {
  let version = versions.get(pricing);
  if (version === undefined) {
    version = computePriceVersion(pricing);
    versions.set(pricing, version);
  }
  return version;
}

function computePriceVersion(pricing: Pricing): string {
  const prices = [pricing.input, pricing.output, pricing.cachedInput ?? pricing.input].map(normalizeUsd);
  // Appended only when it differs from the input price, so versions recorded before cache
  // writes had a price of their own keep their id.
  const cacheWrite = normalizeUsd(pricing.cacheWrite ?? pricing.input);
  if (cacheWrite !== prices[0]) prices.push(cacheWrite);
  // Likewise an image price only enters the id of prices that have one.
  if (pricing.image !== undefined) prices.push(`image:${normalizeUsd(pricing.image)}`);
  return createHash('sha256').update(prices.join('|')).digest('hex').slice(0, 12);
}

export function isUsdAmount(value: string): boolean {
  return decimalPattern.test(value);
}

function parse(value: string): { whole: string; fraction: string } {
  const match = decimalPattern.exec(value);
  if (!match) throw new RangeError(`not a non-negative decimal amount: ${JSON.stringify(value)}`);
  return { whole: match[1]!, fraction: match[2] ?? '' };
}

function scaleOf(value: string): number {
  return parse(value).fraction.length;
}

function toUnits(value: string, scale: number): bigint {
  const { whole, fraction } = parse(value);
  if (fraction.length > scale) throw new RangeError(`${value} has more than ${scale} fraction digits`);
  return BigInt(whole + fraction.padEnd(scale, '0'));
}

function fromUnits(units: bigint, scale: number): string {
  const digits = units.toString().padStart(scale + 1, '0');
  const whole = digits.slice(0, digits.length - scale);
  const fraction = digits.slice(digits.length - scale).replace(/0+$/, '');
  return fraction ? `${whole}.${fraction}` : whole;
}

function min(a: bigint, b: bigint): bigint {
  return a < b ? a : b;
}

function tokens(count: number): number {
  if (!Number.isSafeInteger(count) || count < 0) throw new RangeError(`token count must be a non-negative integer, got ${count}`);
  return count;
}
