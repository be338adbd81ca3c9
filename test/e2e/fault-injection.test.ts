// Fault injection end to end: off by default, switched on and off through the admin API
// (every worker follows within a second or two), rules from the config with a seed, each
// injected fault answered as the upstream's own error would be and counted in metrics.
import { afterEach, describe, expect, it } from 'vitest';
import { Registry } from 'prom-client';
import type { MockUpstream } from '@switchyard/testing';
import { eventually } from '@switchyard/testing';
import { adminKey } from '../support/gateway.ts';
import { useGateway } from '../support/use-gateway.ts';

const registry = new Registry();
const model = 'chaos-model';
const overrides = (openai: MockUpstream) => ({
  providers: { openai: { apiKey: 'sk-upstream-0123456789', baseUrl: openai.url, attempts: 1, timeoutMs: 400, breaker: { failureThreshold: 1000 } } },
  models: { [model]: { provider: 'openai', upstreamModel: 'gpt-4o', fallbacks: [] } },
});
const gateway = useGateway({
  upstreams: { openai: { kind: 'openai' } },
  overrides: ({ openai }) => overrides(openai),
  workerOptions: { registry },
});

async function admin(method: string, path: string, body?: unknown) {
  const response = await fetch(`${gateway.url}/v1/admin${path}`, {
    method,
    headers: { authorization: `Bearer ${adminKey}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: response.status, body: (await response.json()) as Record<string, any> };
}

async function chat(content = 'hello') {
  const response = await fetch(`${gateway.url}/v1/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${gateway.apiKey}`, 'content-type': 'application/json' },
    body: JSON.stringify({ model, messages: [{ role: 'user', content }] }),
  });
  return { status: response.status, body: (await response.json()) as Record<string, any> };
}

/** `switchyard_faults_injected_total{provider="openai",type}` on the worker's registry. */
async function faultsInjected(type: string): Promise<number> {
  const metric = await registry.getSingleMetric('switchyard_faults_injected_total')?.get();
  return metric?.values.find((value) => value.labels.provider === 'openai' && value.labels.type === type)?.value ?? 0;
}

afterEach(async () => {
  expect((await admin('DELETE', '/chaos')).status).toBe(200);
  gateway.setOverrides(overrides(gateway.upstreams.openai));
  expect((await admin('POST', '/config/reload')).status).toBe(200);
  gateway.resetUpstreams();
});

describe('fault injection', () => {
  it('is off by default: no fault, no count, every call reaches the upstream', async () => {
    expect(await admin('GET', '/chaos')).toEqual({ status: 200, body: { object: 'chaos', source: 'config', enabled: false, rules: [] } });
    for (let index = 0; index < 10; index++) expect((await chat(`call ${index}`)).status).toBe(200);
    expect(gateway.upstreams.openai.requests).toHaveLength(10);
    expect(registry.getSingleMetric('switchyard_faults_injected_total')).toBeDefined();
    for (const type of ['delay', 'error', 'stall']) expect(await faultsInjected(type)).toBe(0);
  });

  it('is switched on and off through the admin API, answering the upstream error it pretends', async () => {
    const rules = [{ provider: 'openai', model, type: 'error', status: 503, probability: 1 }];
    const put = await admin('PUT', '/chaos', { enabled: true, rules });
    expect(put).toEqual({ status: 200, body: { object: 'chaos', source: 'admin', enabled: true, rules } });
    expect((await admin('GET', '/chaos')).body).toMatchObject({ source: 'admin', enabled: true, rules });

    const before = await faultsInjected('error');
    const failed = await eventually('the workers to apply the switch', async () => {
      const answer = await chat();
      return answer.status === 503 && answer;
    });
    // What a 503 from the upstream itself gives: the same mapping, the same envelope.
    expect(failed.body.error).toMatchObject({ type: 'overloaded', code: 'upstream_overloaded', message: expect.stringContaining('openai is overloaded') });
    expect(await faultsInjected('error')).toBeGreaterThan(before);
    const upstreamCalls = gateway.upstreams.openai.requests.length;
    expect((await chat()).status).toBe(503);
    expect(gateway.upstreams.openai.requests).toHaveLength(upstreamCalls);

    expect((await admin('PUT', '/chaos', { enabled: false, rules })).body).toMatchObject({ source: 'admin', enabled: false });
    await eventually('the workers to switch it off', async () => (await chat()).status === 200);
    const counted = await faultsInjected('error');
    for (let index = 0; index < 5; index++) expect((await chat()).status).toBe(200);
    expect(await faultsInjected('error')).toBe(counted);
  });

  it('refuses a rule it does not know, naming the field', async () => {
    const answer = await admin('PUT', '/chaos', { enabled: true, rules: [{ type: 'explode', probability: 1 }] });
    expect(answer.status).toBe(400);
    expect(answer.body.error).toMatchObject({ type: 'invalid_request_error', param: 'rules.0.type' });
    expect((await admin('GET', '/chaos')).body).toMatchObject({ source: 'config', enabled: false });
  });

  it('applies config rules at their probability with a seed, every fault counted once', async () => {
    gateway.setOverrides({
      ...overrides(gateway.upstreams.openai),
      chaos: { enabled: true, seed: 2026, rules: [{ type: 'error', status: 500, probability: 0.5 }] },
    });
    expect((await admin('POST', '/config/reload')).status).toBe(200);
    // The last test's admin switch is forgotten within a second; then the config's rules apply.
    await eventually('the config rules to apply', async () => (await chat()).status === 502);
    gateway.resetUpstreams();
    const before = await faultsInjected('error');
    const calls = 40;
    let failures = 0;
    for (let index = 0; index < calls; index++) {
      const answer = await chat(`call ${index}`);
      expect([200, 502]).toContain(answer.status);
      if (answer.status === 502) {
        failures += 1;
        expect(answer.body.error).toMatchObject({ type: 'upstream_error', message: expect.stringContaining('openai failed with status 500') });
      }
    }
    // Four standard deviations of Binomial(40, 0.5) either side of 20.
    expect(failures).toBeGreaterThanOrEqual(8);
    expect(failures).toBeLessThanOrEqual(32);
    expect((await faultsInjected('error')) - before).toBe(failures);
    expect(gateway.upstreams.openai.requests).toHaveLength(calls - failures);
  });

  it('delays a call and lets it through, or stalls it until the provider timeout', async () => {
    await admin('PUT', '/chaos', { enabled: true, rules: [{ model, type: 'delay', duration_ms: 20, probability: 1 }] });
    const delayedBefore = await faultsInjected('delay');
    await eventually('a delayed call', async () => {
      expect((await chat()).status).toBe(200);
      return (await faultsInjected('delay')) > delayedBefore;
    });

    await admin('PUT', '/chaos', { enabled: true, rules: [{ model, type: 'stall', probability: 1 }] });
    const stalled = await eventually('a stalled call', async () => {
      const answer = await chat();
      return answer.status === 504 && answer;
    });
    expect(stalled.body.error).toMatchObject({ type: 'timeout', code: 'upstream_timeout', message: 'openai did not answer in time' });
    expect(await faultsInjected('stall')).toBeGreaterThan(0);
  });
});
