import { z } from 'zod';
import { GatewayError } from '@switchyard/core';

// Bounds the database can hold: integers are Postgres `integer`; budgets are exact decimals
// (at most 12 integer and 9 fraction digits, far beyond any real monthly budget).
const maxLimit = 2_147_483_647;
const budgetPattern = /^\d{1,12}(\.\d{1,9})?$/;

const budget = z
  .union([z.number(), z.string()])
  .refine((value) => (typeof value === 'number' ? Number.isFinite(value) && budgetPattern.test(String(value)) : budgetPattern.test(value.trim())), {
    message: 'must be a non-negative amount in USD below 1e12 with at most 9 fraction digits',
  })
  .transform((value) => String(value).trim())
  .nullable()
  .optional();
const limit = z.number().int('must be an integer').positive('must be a positive integer').max(maxLimit, `must be at most ${maxLimit}`).nullable().optional();

const orgLimits = { monthly_budget_usd: budget, rpm_limit: limit, tpm_limit: limit };
export const updateOrgBody = z.strictObject(orgLimits);
export const createOrgBody = z.strictObject({ name: z.string().min(1).max(200), ...orgLimits });
export const createKeyBody = z.strictObject({ name: z.string().min(1).max(200).default('default') });

/** The body as the schema wants it, or a 400 naming the first offending field. */
export function parseAdminBody<T>(schema: z.ZodType<T>, body: unknown): T {
  const result = schema.safeParse(body ?? {});
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  if (issue.code === 'unrecognized_keys') {
    const field = [...issue.path, issue.keys[0]!].join('.');
    const accepted = schema instanceof z.ZodObject ? Object.keys(schema.shape).join(', ') : '';
    throw new GatewayError('invalid_request', `${field}: unknown field${accepted ? ` (accepted: ${accepted})` : ''}`, { param: field });
  }
  const param = issue.path.join('.') || null;
  throw new GatewayError('invalid_request', `${param ?? 'body'}: ${issue.message}`, { param });
}
