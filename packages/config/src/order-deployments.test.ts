import { describe, expect, it } from 'vitest';
import { orderDeployments } from './order-deployments.ts';
import type { Deployment } from './schema.ts';

/** mulberry32: a small seeded generator, so every run draws the same sequence. */
function seeded(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let mixed = Math.imul(state ^ (state >>> 15), 1 | state);
    mixed = (mixed + Math.imul(mixed ^ (mixed >>> 7), 61 | mixed)) ^ mixed;
    return ((mixed ^ (mixed >>> 14)) >>> 0) / 4_294_967_296;
  };
}

const deployment = (provider: string, extra: Partial<Deployment> = {}): Deployment => ({ provider, upstreamModel: 'm', weight: 1, priority: 0, ...extra });
const providers = (deployments: Deployment[]) => deployments.map((entry) => entry.provider);

describe('orderDeployments', () => {
  it('weighted: the first pick follows the weights (3:1 over 4000 seeded draws)', () => {
    const random = seeded(42);
    const deployments = [deployment('a', { weight: 3 }), deployment('b', { weight: 1 })];
    let firstA = 0;
    for (let draw = 0; draw < 4000; draw++) if (orderDeployments(deployments, 'weighted', { random })[0]!.provider === 'a') firstA += 1;
    // Expected 3000, standard deviation about 27: a 5-sigma band.
    expect(firstA).toBeGreaterThan(2860);
    expect(firstA).toBeLessThan(3140);
  });

  it('weighted: every deployment is in the order once, the others behind the first', () => {
    const random = seeded(7);
    const deployments = [deployment('a'), deployment('b', { weight: 2 }), deployment('c', { weight: 5 })];
    for (let draw = 0; draw < 50; draw++) expect(providers(orderDeployments(deployments, 'weighted', { random })).sort()).toEqual(['a', 'b', 'c']);
  });

  it('weighted: a draw at the edges picks the first and the last deployment', () => {
    const deployments = [deployment('a', { weight: 3 }), deployment('b', { weight: 1 })];
    expect(providers(orderDeployments(deployments, 'weighted', { random: () => 0 }))).toEqual(['a', 'b']);
    expect(providers(orderDeployments(deployments, 'weighted', { random: () => 0.9999 }))).toEqual(['b', 'a']);
    // 0.75 of the total (4) is 3: past a's share.
    expect(providers(orderDeployments(deployments, 'weighted', { random: () => 0.75 }))).toEqual(['b', 'a']);
    expect(providers(orderDeployments(deployments, 'weighted', { random: () => 0.74 }))).toEqual(['a', 'b']);
  });

  it('least-busy: the emptiest queue first; unknown depths count as empty; ties keep the weighted draw', () => {
    const deployments = [deployment('a'), deployment('b'), deployment('c')];
    const depths: Record<string, number> = { a: 9, b: 2 };
    expect(providers(orderDeployments(deployments, 'least-busy', { random: () => 0, queueDepth: (provider) => depths[provider] }))).toEqual(['c', 'b', 'a']);
    const even = (provider: string) => ({ a: 1, b: 1, c: 1 })[provider];
    expect(providers(orderDeployments(deployments, 'least-busy', { random: () => 0.99, queueDepth: even }))[0]).toBe('c');
  });

  it('priority: lowest first, whatever the weights', () => {
    const deployments = [deployment('a', { priority: 2, weight: 100 }), deployment('b', { priority: 0 }), deployment('c', { priority: 1 })];
    const random = seeded(3);
    for (let draw = 0; draw < 20; draw++) expect(providers(orderDeployments(deployments, 'priority', { random }))).toEqual(['b', 'c', 'a']);
  });

  it('one deployment is returned as it is', () => {
    expect(providers(orderDeployments([deployment('only')], 'weighted'))).toEqual(['only']);
  });
});
