import type { Request } from 'express';
import { GatewayError, type CondensationChoice } from '@switchyard/core';

const choices = new Set<string>(['truncate', 'summarize', 'off']);

/**
 * `x-switchyard-condense: truncate | summarize | off`: this request's context condensation,
 * over the model's `condensation` setting (absent: the model's setting holds).
 */
export function parseCondenseHeader(request: Request): CondensationChoice | undefined {
  const value = request.headers['x-switchyard-condense'];
  if (value === undefined) return undefined;
  const text = (Array.isArray(value) ? value.join(',') : value).trim().toLowerCase();
  if (!choices.has(text)) {
    throw new GatewayError('invalid_request', 'x-switchyard-condense must be one of truncate, summarize, off', { param: 'x-switchyard-condense' });
  }
  return text as CondensationChoice;
}
