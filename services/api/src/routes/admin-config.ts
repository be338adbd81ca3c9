import { Router, type Request, type Response } from 'express';
import { GatewayError } from '@switchyard/core';
import { enabledProviders, type SwitchyardConfig } from '@switchyard/config';
import { renderOpenAIError } from '@switchyard/formats';
import type { ApiContext } from '../context.ts';

/** What a config serves, by name: the enabled providers and the models they serve. */
function catalogOf(config: SwitchyardConfig) {
  const providers = enabledProviders(config).map((provider) => provider.name);
  const models = Object.values(config.models)
    .filter((model) => model.deployments.some((deployment) => providers.includes(deployment.provider)))
    .map((model) => model.id);
  return { providers: providers.sort(), models: models.sort() };
}

/** The key each problem line starts with (`models.x.provider: unknown provider "y"` -> `models.x.provider`). */
export const problemKeys = (errors: string[]): string[] => [...new Set(errors.map((line) => line.split(': ')[0]!.trim()))];

/**
 * Config reload for the operator: `POST /config/reload` reloads this process from its file
 * and environment and tells every other process to do the same; `GET /config/status` shows
 * this process's config and what every live process reports. The config itself and its
 * secrets are never in either answer.
 */
export function createConfigAdminRouter(context: ApiContext): Router {
  const router = Router();

  router.post('/config/reload', async (_request: Request, response: Response) => {
    const outcome = await context.configBus.reload('admin');
    if (!outcome.ok) {
      const error = new GatewayError('invalid_request', `config reload refused (${problemKeys(outcome.errors).join(', ')}); the previous config keeps serving`);
      const envelope = renderOpenAIError(error.toBody());
      response.status(error.status).json({ error: { ...envelope.error, errors: outcome.errors } });
      return;
    }
    response.json({
      status: 'ok',
      version: outcome.version,
      changed: outcome.changed,
      loaded_at: outcome.loadedAt.toISOString(),
      ...catalogOf(context.liveConfig.current()),
    });
  });

  router.get('/config/status', async (_request: Request, response: Response) => {
    const state = context.liveConfig.state();
    const instances = await context.configBus.instances();
    response.json({
      status: state.status,
      loaded_at: state.loadedAt.toISOString(),
      version: state.version,
      ...catalogOf(context.liveConfig.current()),
      errors: state.errors,
      instance_id: context.configBus.instanceId,
      instances: instances.map((instance) => ({
        id: instance.id,
        kind: instance.kind,
        version: instance.version,
        status: instance.status,
        loaded_at: instance.loadedAt,
        errors: instance.errors,
      })),
    });
  });

  return router;
}
