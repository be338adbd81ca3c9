import { Router, type Request, type Response } from 'express';
import { GatewayError } from '@switchyard/core';
import { modelNotFoundMessage, type ModelConfig, type SwitchyardConfig } from '@switchyard/config';

// A fixed creation time: the catalog has no history, and a stable value keeps caches happy.
const catalogCreated = 1_735_689_600;

function renderModel(config: SwitchyardConfig, model: ModelConfig, id: string = model.id) {
  const deployments = model.deployments.map((deployment, index) => ({
    provider: deployment.provider,
    upstream_model: deployment.upstreamModel,
    weight: deployment.weight,
    priority: deployment.priority,
    available: config.providers[deployment.provider]?.enabled ?? false,
    ...(model.forced === undefined ? {} : { forced: model.forced === index }),
  }));
  return {
    id,
    object: 'model' as const,
    created: catalogCreated,
    owned_by: model.provider,
    ...(id !== model.id ? { alias_of: model.id } : {}),
    available: deployments.some((deployment) => deployment.available && deployment.forced !== false),
    pricing: {
      input_per_million: Number(model.pricing.input),
      output_per_million: Number(model.pricing.output),
      // Image models (`/v1/images/generations`) also bill per image.
      ...(model.pricing.image !== undefined ? { per_image: Number(model.pricing.image) } : {}),
      currency: 'USD',
    },
    context_length: model.contextLength,
    max_output_tokens: model.maxOutputTokens,
    capabilities: model.capabilities,
    fallbacks: model.fallbacks,
    /** Who serves it and how a request picks among them (docs/deployments.md). */
    routing: { strategy: model.strategy, ...(model.forced === undefined ? {} : { forced: model.forced }), deployments },
  };
}

/** OpenAI's list shape; models whose provider is disabled are listed only with `?all=true`. */
export function createModelsRouter(config: SwitchyardConfig): Router {
  const router = Router();
  const entries = () => {
    const models = Object.values(config.models).map((model) => renderModel(config, model));
    const aliases = Object.entries(config.aliases).map(([alias, target]) => renderModel(config, config.models[target]!, alias));
    return [...models, ...aliases];
  };
  router.get('/models', (request: Request, response: Response) => {
    const all = request.query.all === 'true';
    response.json({ object: 'list', data: entries().filter((entry) => all || entry.available) });
  });
  router.get('/models/:id', (request: Request, response: Response) => {
    const id = String(request.params.id);
    const target = config.models[config.aliases[id] ?? id];
    if (!target) throw new GatewayError('model_not_found', modelNotFoundMessage(config, id), { param: 'model' });
    response.json(renderModel(config, target, id));
  });
  return router;
}
