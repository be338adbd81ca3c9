import type { SwitchyardConfig } from './load-config.ts';
import { suggestNames } from './suggest-names.ts';

/** Catalog models closest to a name that is neither a model nor an alias; provider names count as words of their models. */
export function suggestModels(config: SwitchyardConfig, name: string, limit = 3): string[] {
  const candidates = Object.values(config.models).map((model) => ({ name: model.id, keywords: model.deployments.map((deployment) => deployment.provider) }));
  return suggestNames(name, candidates, limit);
}

/** The 404 message for an unknown model, in OpenAI's words, with the closest catalog names. */
export function modelNotFoundMessage(config: SwitchyardConfig, name: string): string {
  const message = `The model \`${name}\` does not exist or you do not have access to it.`;
  const suggestions = suggestModels(config, name);
  return suggestions.length === 0 ? message : `${message} Did you mean ${suggestions.map((suggestion) => `\`${suggestion}\``).join(', ')}?`;
}
