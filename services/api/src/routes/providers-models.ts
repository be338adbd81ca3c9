// A provider's models as the catalog shows them: the configured ones, plus what the upstream
// itself lists (fetched by a worker serving the provider, cached in Redis).
import type { SwitchyardConfig } from '@switchyard/config';
import type { CachedProviderModels } from '@switchyard/queue';

const catalogCreated = 1_735_689_600;

export type ProviderModelEntry = {
  id: string;
  object: 'model';
  created: number;
  owned_by: string;
  /** In the gateway's catalog (callable by this id). */
  configured: boolean;
  /** The id the upstream knows it by. */
  upstream_model: string;
  /** Present in the upstream's own list (null when no list is known). */
  upstream_listed: boolean | null;
};

export function providerModelEntries(config: SwitchyardConfig, provider: string, cached: CachedProviderModels | undefined): ProviderModelEntry[] {
  const listed = cached?.listed ? new Set(cached.models.map((model) => model.id)) : undefined;
  const configured = Object.values(config.models)
    .filter((model) => model.provider === provider)
    .map((model) => {
      const upstreamModel = model.upstreamModel ?? model.id;
      return {
        id: model.id,
        object: 'model' as const,
        created: catalogCreated,
        owned_by: provider,
        configured: true,
        upstream_model: upstreamModel,
        upstream_listed: listed ? listed.has(upstreamModel) : null,
      };
    });
  const known = new Set(configured.flatMap((entry) => [entry.id, entry.upstream_model]));
  const upstreamOnly = (cached?.listed ? cached.models : [])
    .filter((model) => !known.has(model.id))
    .map((model) => ({
      id: model.id,
      object: 'model' as const,
      created: model.created ?? catalogCreated,
      owned_by: model.ownedBy ?? provider,
      configured: false,
      upstream_model: model.id,
      upstream_listed: true,
    }));
  return [...configured, ...upstreamOnly];
}
