import { ConfigError } from './config-error.ts';
import type { ModelConfig, ParsedConfig } from './schema.ts';

type ParsedModel = ParsedConfig['models'][string];

/**
 * A parsed model in the one shape routes read: `deployments` always listed (the single
 * `provider` + `upstreamModel` form is one deployment of weight 1), `provider` naming the
 * first one (what `owned_by` and older readers show), and `forced` resolved to an index.
 * `deployments`, when given, wins over `provider`: a seed model redefined with deployments
 * keeps the seed's `provider` underneath after the layers merge.
 */
export function withDeployments(id: string, model: ParsedModel): ModelConfig {
  const { provider, upstreamModel, deployments: listed, forced, ...rest } = model;
  const deployments = listed
    ? listed.map((deployment) => ({ ...deployment, upstreamModel: deployment.upstreamModel ?? id }))
    : provider
      ? [{ provider, upstreamModel: upstreamModel ?? id, weight: 1, priority: 0 }]
      : [];
  if (deployments.length === 0) throw new ConfigError(`models.${id}: set \`provider\` or list \`deployments\``);
  const forcedIndex =
    forced === undefined ? undefined : typeof forced === 'number' ? forced : deployments.findIndex((deployment) => deployment.provider === forced);
  if (forcedIndex !== undefined && (forcedIndex < 0 || forcedIndex >= deployments.length)) {
    const known = deployments.map((deployment, index) => `${index} (${deployment.provider})`).join(', ');
    throw new ConfigError(`models.${id}.forced: ${JSON.stringify(forced)} is not one of its deployments: ${known}`);
  }
  return {
    ...rest,
    id,
    provider: deployments[0]!.provider,
    ...(upstreamModel ? { upstreamModel } : {}),
    deployments,
    ...(forcedIndex === undefined ? {} : { forced: forcedIndex }),
  };
}
