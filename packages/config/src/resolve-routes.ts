import { GatewayError, type CanonicalCall, type Route } from '@switchyard/core';
import { resolveModel, routesFor, type SwitchyardConfig } from './load-config.ts';
import { modelNotFoundMessage } from './model-not-found.ts';
import type { DeploymentOrderInputs } from './order-deployments.ts';
import type { ModelConfig } from './schema.ts';

/** The model a request names, checked against what the model can do, and its route chain (deployments ordered for this request). */
export function resolveRoutes(
  config: SwitchyardConfig,
  requestedModel: string,
  call: CanonicalCall,
  order: DeploymentOrderInputs = {},
): { model: ModelConfig; routes: Route[] } {
  const model = resolveModel(config, requestedModel);
  if (!model) {
    throw new GatewayError('model_not_found', modelNotFoundMessage(config, requestedModel), { param: 'model' });
  }
  checkCapabilities(model, call, requestedModel);
  const routes = routesFor(config, model, order);
  // Configuration, not an outage: a 4xx the SDKs do not retry, naming what to set.
  if (routes.length === 0) throw new GatewayError('model_not_found', disabledChainMessage(config, model, requestedModel), { param: 'model' });
  return { model, routes };
}

function disabledChainMessage(config: SwitchyardConfig, model: ModelConfig, requestedModel: string): string {
  const describe = (id: string) => {
    const candidate = config.models[id];
    if (!candidate) return `${id} (not in the catalog)`;
    const providers = candidate.deployments.map((deployment) => config.providers[deployment.provider]).filter((provider) => provider !== undefined);
    if (providers.length === 0) return `${id} (not in the catalog)`;
    const disabled = providers.map((provider) => `${provider.name}, which is disabled: ${provider.disabledReason ?? 'disabled in the configuration'}`);
    return `${id} on ${disabled.join('; and on ')}`;
  };
  const [first, ...fallbacks] = [model.id, ...model.fallbacks].map(describe);
  const considered = fallbacks.length > 0 ? `; fallbacks considered: ${fallbacks.join('; ')}` : '; it has no fallbacks';
  return `The model \`${requestedModel}\` is not available on this gateway: ${first}${considered}.`;
}

function checkCapabilities(model: ModelConfig, call: CanonicalCall, name: string): void {
  const capabilities = model.capabilities;
  const refuse = (message: string, param: string) => {
    throw new GatewayError('invalid_request', message, { param });
  };
  switch (call.kind) {
    case 'embeddings':
      if (!capabilities.embeddings) refuse(`model ${name} does not support embeddings`, 'model');
      return;
    case 'image':
      if (!capabilities.images) refuse(`model ${name} does not support image generation`, 'model');
      return;
    case 'completion':
      if (!capabilities.completions) refuse(`model ${name} does not support the legacy completions endpoint`, 'model');
      if (call.request.maxTokens !== undefined && call.request.maxTokens > model.maxOutputTokens) {
        refuse(`max_tokens is too large: ${call.request.maxTokens}. model ${name} supports at most ${model.maxOutputTokens} completion tokens`, 'max_tokens');
      }
      return;
    case 'chat': {
      const request = call.request;
      if (!capabilities.chat) refuse(`model ${name} does not support chat`, 'model');
      if (request.tools?.length && !capabilities.tools) refuse(`model ${name} does not support tools`, 'tools');
      if (
        !capabilities.vision &&
        request.messages.some((message) => message.role !== 'system' && Array.isArray(message.content) && message.content.some((part) => part.type === 'image'))
      ) {
        refuse(`model ${name} does not support image input`, 'messages');
      }
      if (request.maxTokens !== undefined && request.maxTokens > model.maxOutputTokens) {
        refuse(`max_tokens is too large: ${request.maxTokens}. model ${name} supports at most ${model.maxOutputTokens} completion tokens`, 'max_tokens');
      }
      return;
    }
  }
}

export function checkStreaming(model: ModelConfig, name: string): void {
  if (!model.capabilities.streaming) throw new GatewayError('invalid_request', `model ${name} does not support streaming`, { param: 'stream' });
}
