import type { Deployment, DeploymentStrategy } from './schema.ts';

/** What a request knows when it orders a model's deployments. */
export type DeploymentOrderInputs = {
  /** Uniform in [0, 1); tests pass a seeded one. Defaults to Math.random. */
  random?: () => number;
  /** Jobs waiting on the provider's queue; undefined when not sampled (counted as empty). */
  queueDepth?: (provider: string) => number | undefined;
};

/**
 * The order one request tries a model's deployments in, best first; the chain goes on to
 * the next on an open breaker or a failure. `weighted`: a weighted draw without replacement,
 * so the first pick lands on each deployment in proportion to its weight. `least-busy`: the
 * emptiest provider queue first, ties by weighted draw. `priority`: lowest `priority` first,
 * ties by weighted draw.
 */
export function orderDeployments(deployments: readonly Deployment[], strategy: DeploymentStrategy, inputs: DeploymentOrderInputs = {}): Deployment[] {
  if (deployments.length <= 1) return [...deployments];
  const random = inputs.random ?? Math.random;
  const drawn = weightedDraw(deployments, random);
  if (strategy === 'weighted') return drawn;
  const rank = (deployment: Deployment) => (strategy === 'priority' ? deployment.priority : (inputs.queueDepth?.(deployment.provider) ?? 0));
  // Array.prototype.sort is stable: equal ranks keep the weighted draw's order.
  return drawn.sort((left, right) => rank(left) - rank(right));
}

function weightedDraw(deployments: readonly Deployment[], random: () => number): Deployment[] {
  const left = [...deployments];
  const ordered: Deployment[] = [];
  while (left.length > 0) {
    const total = left.reduce((sum, deployment) => sum + deployment.weight, 0);
    let point = random() * total;
    let index = 0;
    while (index < left.length - 1 && point >= left[index]!.weight) {
      point -= left[index]!.weight;
      index += 1;
    }
    ordered.push(...left.splice(index, 1));
  }
  return ordered;
}
