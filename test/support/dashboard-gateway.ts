import { startMockOpenAIUpstream, type MockUpstream } from '@switchyard/testing';
import { afterAll, beforeAll } from 'vitest';
import { mergeOverrides, type Overrides } from './gateway.ts';
import { useGateway } from './use-gateway.ts';
import { startWebhookReceiver, type WebhookReceiver } from './webhook-receiver.ts';

/**
 * The dashboard tests' gateway, with something for every section of the page: webhook
 * deliveries to a local receiver, and `broken-model` on an upstream that always fails.
 * `extra` is merged over that config.
 */
export function useDashboardGateway(extra: Overrides = {}) {
  let receiver: WebhookReceiver;
  let upstream: MockUpstream;
  beforeAll(async () => {
    receiver = await startWebhookReceiver();
    upstream = await startMockOpenAIUpstream();
    upstream.behave('broken-model', { status: 500, errorMessage: 'upstream is down' });
  });
  afterAll(async () => {
    await Promise.all([receiver?.close(), upstream?.close()]);
  });
  const gateway = useGateway({
    webhooks: true,
    overrides: () =>
      mergeOverrides(
        {
          webhooks: { allow: [receiver.hostPort] },
          providers: { broken: { kind: 'openai-compatible', apiKey: 'sk-broken', baseUrl: upstream.url, attempts: 1 } },
          models: { 'broken-model': { provider: 'broken' } },
        },
        extra,
      ),
  });
  return {
    gateway,
    /** The receiver the org's endpoints deliver to (started before the gateway). */
    get receiver(): WebhookReceiver {
      return receiver;
    },
  };
}
