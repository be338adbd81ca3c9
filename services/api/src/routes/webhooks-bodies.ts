import { z } from 'zod';
import { GatewayError, webhookUrlProblem, type WebhookAllowList } from '@switchyard/core';
import { webhookEventTypes } from '@switchyard/db';

// Bodies of the webhook endpoint routes; the URL is checked against the destination policy
// apart, so its refusal names the reason and the param.
const url = z.string().max(2048, 'must be at most 2048 characters');
const events = z.array(z.enum(webhookEventTypes)).transform((types) => [...new Set(types)]);
const description = z.string().max(512, 'must be at most 512 characters').nullable();

export const createWebhookEndpointBody = z.strictObject({ url, events: events.optional(), description: description.optional() });
export const updateWebhookEndpointBody = z.strictObject({
  url: url.optional(),
  events: events.optional(),
  description: description.optional(),
  enabled: z.boolean().optional(),
});

/** A 400 on `param` when the destination policy refuses the URL (not http(s), a literal private or loopback address, localhost). */
export function checkWebhookUrl(value: string, allow: WebhookAllowList, param: string): void {
  const problem = webhookUrlProblem(value, allow);
  if (problem) throw new GatewayError('invalid_request', `${param} ${problem}`, { param });
}
