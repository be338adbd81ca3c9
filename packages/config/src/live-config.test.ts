import { describe, expect, it } from 'vitest';
import { asLiveConfig, configVersion, createLiveConfig } from './live-config.ts';
import { loadConfig } from './load-config.ts';

describe('createLiveConfig', () => {
  it('swaps in a valid reload and tells listeners once per change', () => {
    let aliases: Record<string, string> = {};
    const live = createLiveConfig(() => loadConfig({ env: {}, overrides: { aliases } }));
    const first = live.current();
    const seen: string[] = [];
    live.onChange((next, previous) => seen.push(`${Object.keys(previous.aliases).includes('quick')}->${next.aliases.quick}`));

    const loadedAt = live.state().loadedAt;
    expect(live.reload()).toEqual({ ok: true, version: live.state().version, changed: false, loadedAt });
    expect(seen).toEqual([]);
    // Nothing changed: the same object keeps serving.
    expect(live.current()).toBe(first);

    aliases = { ...first.aliases, quick: 'mock-fast' };
    const result = live.reload();
    expect(result).toMatchObject({ ok: true, changed: true });
    expect(live.current().aliases.quick).toBe('mock-fast');
    expect(seen).toEqual(['false->mock-fast']);
    // The object taken before the reload is untouched: work in flight keeps its config.
    expect(first.aliases.quick).toBeUndefined();
  });

  it('keeps the old config and names the bad keys when a reload is invalid', () => {
    let overrides: Record<string, unknown> = {};
    const live = createLiveConfig(() => loadConfig({ env: {}, overrides }));
    const before = live.current();
    overrides = { aliases: { quick: 'no-such-model' }, server: { syncTimeoutMs: -1 } };
    const result = live.reload();
    expect(result.ok).toBe(false);
    expect(live.current()).toBe(before);
    expect(live.state()).toMatchObject({ status: 'error' });
    expect(live.state().errors.join('\n')).toMatch(/server\.syncTimeoutMs/);
    overrides = {};
    expect(live.reload().ok).toBe(true);
    expect(live.state()).toMatchObject({ status: 'ok', errors: [] });
  });

  it('refuses to move a setting the process was started with', () => {
    let prefix = 'one';
    const live = createLiveConfig(() => loadConfig({ env: {}, overrides: { redis: { prefix } } }));
    prefix = 'two';
    expect(live.reload()).toEqual({ ok: false, errors: ['redis.prefix: cannot change while running (restart the process)'] });
    expect(live.current().redis.prefix).toBe('one');
  });

  it('refuses to move to or from a Redis Cluster while running', () => {
    let clusterNodes: string[] | undefined;
    const live = createLiveConfig(() => loadConfig({ env: {}, overrides: { redis: { clusterNodes } } }));
    clusterNodes = ['127.0.0.1:7000'];
    expect(live.reload()).toEqual({ ok: false, errors: ['redis.clusterNodes: cannot change while running (restart the process)'] });
  });

  it('names every problem of a refused file in one answer: unknown keys and broken references', () => {
    let overrides: Record<string, unknown> = {};
    const live = createLiveConfig(() => loadConfig({ env: {}, overrides }));
    overrides = { models: { 'mock-new': { provider: 'mock', upstreem: 'x', fallbacks: ['gone'] } }, aliases: { quick: 'nowhere' } };
    const result = live.reload();
    expect(result.ok).toBe(false);
    expect(live.state().errors).toEqual([
      'models.mock-new.upstreem: unknown key',
      'models.mock-new.fallbacks: unknown model "gone"',
      'aliases.quick: unknown model "nowhere"',
    ]);
  });

  it('keeps every listener informed when one of them throws', () => {
    let aliases: Record<string, string> = {};
    const live = createLiveConfig(() => loadConfig({ env: {}, overrides: { aliases } }));
    const heard: string[] = [];
    live.onChange(() => {
      throw new Error('listener broke');
    });
    live.onChange((next) => heard.push(next.aliases.quick ?? ''));
    aliases = { quick: 'mock-fast' };
    expect(() => live.reload()).toThrow('listener broke');
    expect(heard).toEqual(['mock-fast']);
    expect(live.current().aliases.quick).toBe('mock-fast');
  });
});

describe('asLiveConfig', () => {
  it('turns a plain config into one that never changes, and passes a live one through', () => {
    const config = loadConfig({ env: {} });
    const fixed = asLiveConfig(config);
    expect(fixed.current()).toBe(config);
    expect(fixed.reload()).toMatchObject({ ok: true, changed: false });
    expect(asLiveConfig(fixed)).toBe(fixed);
  });
});

describe('configVersion', () => {
  it('is the same for processes serving the same config on different ports, and moves with what they serve', () => {
    const first = loadConfig({ env: { PORT: '8080' } });
    const second = loadConfig({ env: { PORT: '8081', METRICS_PORT: '9100' } });
    expect(configVersion(second)).toBe(configVersion(first));
    expect(second.server.port).toBe(8081);
    expect(configVersion(loadConfig({ env: {}, overrides: { aliases: { quick: 'mock-fast' } } }))).not.toBe(configVersion(first));
  });
});
