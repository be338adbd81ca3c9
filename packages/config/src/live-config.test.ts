import { describe, expect, it } from 'vitest';
import { createLiveConfig } from './live-config.ts';
import { loadConfig } from './load-config.ts';

describe('createLiveConfig', () => {
  it('swaps in a valid reload and tells listeners once per change', () => {
    let aliases: Record<string, string> = {};
    const live = createLiveConfig(() => loadConfig({ env: {}, overrides: { aliases } }));
    const first = live.current();
    const seen: string[] = [];
    live.onChange((next, previous) => seen.push(`${Object.keys(previous.aliases).includes('quick')}->${next.aliases.quick}`));

    expect(live.reload()).toEqual({ ok: true, version: live.state().version, changed: false });
    expect(seen).toEqual([]);

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
});
