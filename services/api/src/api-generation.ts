import type { IncomingMessage, ServerResponse } from 'node:http';
import { enabledProviders, routesFor, type SwitchyardConfig } from '@switchyard/config';
import { createCircuitBreakers } from '@switchyard/queue';
import { createAdmission } from './admission/admission.ts';
import type { ApiContext } from './context.ts';
import { createApp } from './create-app.ts';
import { createBackpressure } from './inference/backpressure.ts';

/** What every generation of one api process shares: its connections, queues, reply bus, database and metrics. */
export type SharedApiParts = Omit<ApiContext, 'config' | 'breakers' | 'backpressure' | 'admission'>;

/**
 * The api built on one config: its context (breakers with that config's settings and
 * deployments, admission, backpressure) and its express app. A reload builds a new one and
 * retires the old, which keeps serving the requests it already holds.
 */
export type ApiGeneration = {
  context: ApiContext;
  /** Serves one request on this generation, counting it in flight until its response closes. */
  handle(request: IncomingMessage, response: ServerResponse): void;
  /** Takes no new requests (the server sends them elsewhere); closes its timers once its requests are done, or after `graceMs`. */
  retire(graceMs: number): Promise<void>;
};

export function createApiGeneration(shared: SharedApiParts, config: SwitchyardConfig): ApiGeneration {
  const breakers = createCircuitBreakers({
    redis: shared.redis,
    prefix: config.redis.prefix,
    settings: Object.fromEntries(enabledProviders(config).map((provider) => [provider.name, provider.breaker])),
    deployments: Object.values(config.models).flatMap((model) => routesFor(config, model)),
  });
  void breakers.refresh().catch(() => {});
  const backpressure = createBackpressure({ config, queues: shared.queues, logger: shared.logger });
  const admission = createAdmission({ config, redis: shared.redis, db: shared.db, logger: shared.logger });
  const context: ApiContext = { ...shared, config, breakers, backpressure, admission };
  const app = createApp(context);

  let inFlight = 0;
  let drained: (() => void) | undefined;
  const close = () => {
    breakers.close();
    backpressure.close();
  };
  return {
    context,
    handle(request, response) {
      inFlight += 1;
      response.once('close', () => {
        inFlight -= 1;
        if (inFlight === 0) drained?.();
      });
      app(request, response);
    },
    async retire(graceMs) {
      if (inFlight > 0) {
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, graceMs);
          timer.unref();
          drained = () => {
            clearTimeout(timer);
            resolve();
          };
        });
      }
      close();
    },
  };
}
