import type { WebhookDelivery, WebhookEndpoint } from '@switchyard/db';

const seconds = (date: Date | null): number | null => (date ? Math.floor(date.getTime() / 1000) : null);

/** The public webhook endpoint object (docs/api.md, "Webhooks"); its secret only when just made. */
export function renderWebhookEndpoint(endpoint: WebhookEndpoint, secret?: string) {
  return {
    id: endpoint.id,
    object: 'webhook_endpoint' as const,
    url: endpoint.url,
    events: endpoint.events,
    description: endpoint.description,
    enabled: endpoint.enabled,
    disabled_reason: endpoint.disabledReason,
    created_at: seconds(endpoint.createdAt),
    updated_at: seconds(endpoint.updatedAt),
    previous_secret_expires_at: seconds(endpoint.previousSecretExpiresAt),
    ...(secret ? { secret } : {}),
  };
}

/** The public webhook delivery object, with its attempts. */
export function renderWebhookDelivery(delivery: WebhookDelivery) {
  return {
    id: delivery.id,
    object: 'webhook_delivery' as const,
    event_id: delivery.eventId,
    event_type: delivery.eventType,
    subject_id: delivery.subjectId,
    url: delivery.url,
    endpoint_id: delivery.endpointId,
    status: delivery.status,
    attempts: delivery.attempts,
    response_status: delivery.responseStatus,
    last_error: delivery.lastError,
    created_at: seconds(delivery.createdAt),
    last_attempt_at: seconds(delivery.lastAttemptAt),
    next_attempt_at: seconds(delivery.nextAttemptAt),
    delivered_at: seconds(delivery.deliveredAt),
    attempt_log: delivery.attemptLog.map((attempt) => ({
      attempt: attempt.attempt,
      outcome: attempt.outcome,
      response_status: attempt.responseStatus,
      duration_ms: attempt.durationMs,
      error: attempt.error,
      started_at: seconds(attempt.startedAt),
    })),
  };
}
