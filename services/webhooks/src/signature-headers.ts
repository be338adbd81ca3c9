import { Webhook } from 'standardwebhooks';

/**
 * The Standard Webhooks headers of one attempt: `webhook-id` (the event id, the same on
 * every retry), `webhook-timestamp` (this attempt, unix seconds) and `webhook-signature`
 * (`v1,<base64>`, one per secret, space-separated: during a rotation overlap both the new
 * and the previous secret sign, so a receiver holding either verifies).
 */
export function signatureHeaders(options: { eventId: string; body: string; secrets: readonly string[]; at: Date }): Record<string, string> {
  const timestamp = new Date(Math.floor(options.at.getTime() / 1000) * 1000);
  return {
    'content-type': 'application/json',
    'user-agent': 'Switchyard-Webhooks/1',
    'webhook-id': options.eventId,
    'webhook-timestamp': String(timestamp.getTime() / 1000),
    'webhook-signature': options.secrets.map((secret) => new Webhook(secret).sign(options.eventId, timestamp, options.body)).join(' '),
  };
}
