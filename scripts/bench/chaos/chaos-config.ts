// The chaos run's gateway configuration: a primary provider that fails 20% of calls and
// stalls some, a healthier backup, short timeouts so stalls turn into retries quickly.
export const chaosConfigYaml = `
providers:
  openai:
    attempts: 2
    timeoutMs: 1500
    breaker: { failureThreshold: 50, windowMs: 10000, openMs: 2000 }
  backup:
    kind: openai-compatible
    apiKey: sk-backup
    attempts: 2
    timeoutMs: 1500
    # Count thresholds must be sized to the traffic: at ~800 calls/s a 5% error rate is
    # 40 failures a second, which is a healthy provider's noise, not an outage.
    breaker: { failureThreshold: 200, windowMs: 10000, openMs: 2000 }
models:
  chaos-primary:
    provider: openai
    fallbacks: [chaos-backup]
    pricing: { input: "1.00", output: "2.00" }
  chaos-backup:
    provider: backup
    pricing: { input: "1.00", output: "2.00" }
worker:
  lockDurationMs: 5000
  stalledIntervalMs: 2000
`;

export const chaosBehaviors = {
  'chaos-primary': { errorRate: 0.2, stallRate: 0.02, latencyMs: 20, latencyJitterMs: 80 },
  'chaos-backup': { errorRate: 0.05, latencyMs: 20, latencyJitterMs: 40 },
};

/** Error codes a client may legitimately see from a chaotic chain (docs/api.md, "Errors"). */
export const documentedErrorCodes = new Set([
  'provider_unavailable',
  'upstream_error',
  'upstream_timeout',
  'upstream_overloaded',
  'timeout',
  'queue_full',
  'rate_limited',
]);
