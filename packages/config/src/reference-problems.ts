type PlainObject = Record<string, unknown>;
const isPlainObject = (value: unknown): value is PlainObject => typeof value === 'object' && value !== null && !Array.isArray(value);
const entriesOf = (value: unknown): [string, unknown][] => (isPlainObject(value) ? Object.entries(value) : []);

/**
 * Names that point nowhere: a model's provider (or a deployment's), a fallback or an alias target the config
 * does not define, one line per problem. It reads the merged layers as they are, so a file
 * that also breaks the schema has every problem named in one answer (a refused reload lists
 * them all); values of the wrong type are left to the schema's own lines.
 */
export function referenceProblems(layers: { providers?: unknown; models?: unknown; aliases?: unknown }): string[] {
  const providers = new Set(entriesOf(layers.providers).map(([name]) => name));
  const models = new Map(entriesOf(layers.models));
  const problems: string[] = [];
  for (const [id, model] of models) {
    if (!isPlainObject(model)) continue;
    if (typeof model.provider === 'string' && !providers.has(model.provider)) problems.push(`models.${id}.provider: unknown provider "${model.provider}"`);
    for (const [index, deployment] of (Array.isArray(model.deployments) ? model.deployments : []).entries()) {
      const provider = isPlainObject(deployment) ? deployment.provider : undefined;
      if (typeof provider === 'string' && !providers.has(provider)) problems.push(`models.${id}.deployments.${index}.provider: unknown provider "${provider}"`);
    }
    for (const fallback of Array.isArray(model.fallbacks) ? model.fallbacks : []) {
      if (typeof fallback === 'string' && !models.has(fallback)) problems.push(`models.${id}.fallbacks: unknown model "${fallback}"`);
    }
    const summaryModel = isPlainObject(model.condensation) ? model.condensation.summaryModel : undefined;
    if (typeof summaryModel === 'string' && !models.has(summaryModel)) problems.push(`models.${id}.condensation.summaryModel: unknown model "${summaryModel}"`);
  }
  for (const [alias, target] of entriesOf(layers.aliases)) {
    if (typeof target === 'string' && !models.has(target)) problems.push(`aliases.${alias}: unknown model "${target}"`);
    if (models.has(alias)) problems.push(`aliases.${alias}: a model with that id exists already`);
  }
  return problems;
}
