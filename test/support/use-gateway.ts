import type Anthropic from '@anthropic-ai/sdk';
import type OpenAI from 'openai';
import { Redis } from 'ioredis';
import { afterAll, beforeAll } from 'vitest';
import type { Database, Kysely } from '@switchyard/db';
import {
  lateBound,
  startMockAnthropicUpstream,
  startMockOllamaUpstream,
  startMockOpenAIUpstream,
  type MockUpstream,
  type MockUpstreamOptions,
} from '@switchyard/testing';
import { anthropicClient, openAIClient } from './clients.ts';
import { startTestGateway, type Overrides, type TestGateway, type TestGatewayOptions } from './gateway.ts';

/** A mock upstream to start for the file: its dialect, and the mock's own options. */
export type UpstreamSpec = MockUpstreamOptions & { kind: 'openai' | 'anthropic' | 'ollama' };

const starters = { openai: startMockOpenAIUpstream, anthropic: startMockAnthropicUpstream, ollama: startMockOllamaUpstream };

export type UseGatewayOptions<Names extends string> = Omit<TestGatewayOptions, 'overrides'> & {
  upstreams?: Record<Names, UpstreamSpec>;
  /** Config overrides; as a function, it gets the started upstreams to point providers at. */
  overrides?: Overrides | ((upstreams: Record<NoInfer<Names>, MockUpstream>) => Overrides);
};

export type GatewayFixture<Names extends string> = TestGateway & {
  /** The mock upstreams, by the names given in `upstreams`. */
  upstreams: Record<Names, MockUpstream>;
  /** The official SDKs, pointed at the gateway with the org's key. */
  openai: OpenAI;
  anthropic: Anthropic;
  /** A command connection to the gateway's Redis; its keys live under `prefix`. */
  redis: Redis;
  /** The gateway's database (`database.db`). */
  db: Kysely<Database>;
  /** Forgets every upstream's recorded requests and behaviors. */
  resetUpstreams(): void;
};

/**
 * The whole gateway for one test file: registers the beforeAll that starts the mock
 * upstreams and the gateway (fresh database, unique Redis prefix, an org with a key) and
 * the afterAll that stops everything, and returns a handle to all of it. The handle and
 * everything in it may be named at module level and used from the tests and hooks.
 */
export function useGateway<Names extends string = never>(options: UseGatewayOptions<Names> = {}): GatewayFixture<Names> {
  const specs = Object.entries(options.upstreams ?? {}) as [Names, UpstreamSpec][];
  const upstreams = Object.fromEntries(specs.map(([name]) => [name, lateBound<MockUpstream>(`the ${name} mock upstream`)])) as Record<
    Names,
    ReturnType<typeof lateBound<MockUpstream>>
  >;
  const gateway = lateBound<TestGateway>('the gateway');
  const openai = lateBound<OpenAI>("the gateway's OpenAI client");
  const anthropic = lateBound<Anthropic>("the gateway's Anthropic client");
  const redis = lateBound<Redis>("the gateway's Redis connection");
  const started: { upstreams: MockUpstream[]; gateway?: TestGateway; redis?: Redis } = { upstreams: [] };

  beforeAll(async () => {
    const running = {} as Record<Names, MockUpstream>;
    for (const [name, { kind, ...mockOptions }] of specs) {
      const upstream = await starters[kind](mockOptions);
      started.upstreams.push(upstream);
      running[name] = upstream;
      upstreams[name].bind(upstream);
    }
    const { overrides, upstreams: _specs, ...gatewayOptions } = options;
    started.gateway = await startTestGateway({ ...gatewayOptions, overrides: typeof overrides === 'function' ? overrides(running) : overrides });
    gateway.bind(started.gateway);
    openai.bind(openAIClient(started.gateway));
    anthropic.bind(anthropicClient(started.gateway));
    started.redis = new Redis(started.gateway.redisUrl);
    redis.bind(started.redis);
  });

  afterAll(async () => {
    await started.redis?.quit();
    await started.gateway?.stop();
    await Promise.all(started.upstreams.map((upstream) => upstream.close()));
  });

  const eager = {
    upstreams: Object.fromEntries(specs.map(([name]) => [name, upstreams[name].value])),
    openai: openai.value,
    anthropic: anthropic.value,
    redis: redis.value,
    resetUpstreams: () => {
      for (const upstream of started.upstreams) upstream.reset();
    },
  };
  return new Proxy(gateway.value, {
    get(target, property, receiver) {
      if (property === 'db') return gateway.value.database.db;
      return Object.hasOwn(eager, property) ? eager[property as keyof typeof eager] : Reflect.get(target, property, receiver);
    },
  }) as GatewayFixture<Names>;
}
