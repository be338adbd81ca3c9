import { z } from 'zod';
import { GatewayError, webhookUrlProblem, type WebhookAllowList } from '@switchyard/core';

// OpenAI's metadata limits: 16 keys, keys up to 64 characters, values up to 512.
export const batchMetadataSchema = z
  .record(z.string().min(1).max(64, 'metadata keys are at most 64 characters'), z.string().max(512, 'metadata values are at most 512 characters'))
  .refine((metadata) => Object.keys(metadata).length <= 16, 'metadata holds at most 16 keys');

/**
 * `metadata.webhook_url` names where the batch's `batch.*` events are delivered: refused at
 * creation when it could never be delivered to (not http(s), credentials, a refused address).
 */
export function checkBatchWebhookUrl(metadata: Record<string, string> | undefined, allow: WebhookAllowList): void {
  const url = metadata?.webhook_url;
  if (url === undefined) return;
  const problem = webhookUrlProblem(url, allow);
  if (problem) throw new GatewayError('invalid_request', `metadata.webhook_url ${problem}`, { param: 'metadata.webhook_url' });
}
