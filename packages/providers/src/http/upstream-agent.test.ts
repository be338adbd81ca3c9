import { describe, expect, it } from 'vitest';
import { upstreamAgentOptions } from './upstream-agent.ts';

describe('upstream agent pool settings', () => {
  it("passes the provider's connection limit and keep-alive timeout to undici", () => {
    expect(upstreamAgentOptions({ maxConnections: 4, keepAliveTimeoutMs: 20_000 })).toEqual({
      headersTimeout: 0,
      bodyTimeout: 0,
      connections: 4,
      keepAliveTimeout: 20_000,
    });
  });

  it("leaves undici's defaults (no connection limit) when the provider sets nothing", () => {
    expect(upstreamAgentOptions({})).toEqual({ headersTimeout: 0, bodyTimeout: 0 });
  });
});
