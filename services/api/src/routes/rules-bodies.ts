import { z } from 'zod';
import { conditionSpellings, isRuleMetric, normalizeCondition, ruleMetricNames, ruleMetrics } from '@switchyard/alerts';
import type { SwitchyardConfig } from '@switchyard/config';
import { GatewayError, type WebhookAllowList } from '@switchyard/core';
import { alertSeverities, type AlertChannel } from '@switchyard/db';
import { checkWebhookUrl } from './webhooks-bodies.ts';

// Bodies of /v1/rules. Webhook channel URLs and the provider filter are checked apart
// (checkRule), so each refusal names its reason and its param.
const maxCooldownMinutes = 7 * 24 * 60;
const thresholdPattern = /^-?\d{1,15}(\.\d{1,9})?$/;

const metric = z.string().refine(isRuleMetric, { message: `must be one of ${ruleMetricNames.join(', ')}` });
const condition = z.string().transform((value, context) => {
  const normalized = normalizeCondition(value);
  if (normalized) return normalized;
  context.addIssue({ code: 'custom', message: `must be one of ${conditionSpellings.map((spelling) => JSON.stringify(spelling)).join(', ')}` });
  return z.NEVER;
});
const threshold = z
  .union([z.number(), z.string()], { error: 'must be a number' })
  // A number that 9 fraction digits cannot hold exactly (1e-10) is left as it is, and refused.
  .transform((value) =>
    typeof value !== 'number' ? value.trim() : Number(value.toFixed(9)) === value ? value.toFixed(9).replace(/\.?0+$/, '') : String(value),
  )
  .refine((value) => thresholdPattern.test(value), { message: 'must be a finite number below 1e15 with at most 9 fraction digits' });
const channel = z.preprocess(
  (value) => (value === 'log' ? { type: 'log' } : value),
  z.discriminatedUnion('type', [z.strictObject({ type: z.literal('log') }), z.strictObject({ type: z.literal('webhook'), url: z.string().max(2048) })], {
    error: 'must be "log", {"type": "log"} or {"type": "webhook", "url": "https://..."}',
  }),
);

const fields = {
  name: z.string().min(1, 'must not be empty').max(200, 'must be at most 200 characters'),
  metric,
  condition,
  threshold,
  severity: z.enum(alertSeverities),
  cooldown_minutes: z.number().int('must be an integer').min(0, 'must be 0 or more').max(maxCooldownMinutes, `must be at most ${maxCooldownMinutes}`),
  channels: z.array(channel).min(1, 'must name at least one channel').max(10, 'must name at most 10 channels'),
  enabled: z.boolean(),
  provider: z.string().nullable(),
};

export const createRuleBody = z.strictObject({
  ...fields,
  cooldown_minutes: fields.cooldown_minutes.default(15),
  channels: fields.channels.default([{ type: 'log' }]),
  enabled: fields.enabled.optional(),
  provider: fields.provider.optional(),
});
export const updateRuleBody = z.strictObject(
  Object.fromEntries(Object.entries(fields).map(([key, schema]) => [key, schema.optional()])) as {
    [Key in keyof typeof fields]: z.ZodOptional<(typeof fields)[Key]>;
  },
);

/**
 * The rule as it would be (the stored one with the body applied) checked as a whole: a
 * provider filter only on a provider metric and naming a configured provider, and each
 * webhook URL the body sets through the same destination policy as webhooks.
 */
export function checkRule(
  rule: { metric: string; provider: string | null; channels: readonly AlertChannel[] },
  options: { config: SwitchyardConfig; allow: WebhookAllowList; channelsChanged: boolean },
): void {
  if (rule.provider !== null) {
    if (isRuleMetric(rule.metric) && !ruleMetrics[rule.metric].perProvider)
      throw new GatewayError('invalid_request', `provider: ${rule.metric} is not measured per provider, so it takes no provider filter`, { param: 'provider' });
    if (!Object.hasOwn(options.config.providers, rule.provider))
      throw new GatewayError('invalid_request', `provider: no provider named ${JSON.stringify(rule.provider)} is configured`, { param: 'provider' });
  }
  if (!options.channelsChanged) return;
  rule.channels.forEach((channel, index) => {
    if (channel.type === 'webhook') checkWebhookUrl(channel.url, options.allow, `channels.${index}.url`);
  });
}
