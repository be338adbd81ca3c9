import { describe, expect, it } from 'vitest';
import { loadConfig } from '@switchyard/config';
import { planWorkerChanges, workerSettingsOf, type WorkerSettings } from './worker-changes.ts';
import { selectedProviders } from './worker-generation.ts';

const settings = (overrides: Partial<WorkerSettings> = {}): WorkerSettings => ({
  concurrency: 8,
  limiter: { max: 60, duration: 60_000 },
  lockDuration: 5000,
  stalledInterval: 2000,
  maxConcurrency: undefined,
  ...overrides,
});

describe('planWorkerChanges', () => {
  it('starts new providers, closes removed ones, resizes on concurrency alone and replaces on limiter or lock changes', () => {
    const running = new Map([
      ['kept', settings()],
      ['resized', settings()],
      ['limited', settings()],
      ['locked', settings()],
      ['removed', settings()],
    ]);
    const wanted = new Map([
      ['kept', settings()],
      ['resized', settings({ concurrency: 32 })],
      ['limited', settings({ limiter: { max: 10, duration: 60_000 }, concurrency: 2 })],
      ['locked', settings({ lockDuration: 9000 })],
      ['added', settings()],
    ]);
    expect(planWorkerChanges(running, wanted)).toEqual({
      start: ['added'],
      stop: ['removed'],
      replace: ['limited', 'locked'],
      resize: ['resized'],
      ceiling: [],
    });
  });

  it('moves the queue-wide ceiling without touching the Worker', () => {
    const running = new Map([
      ['capped', settings({ maxConcurrency: 4 })],
      ['uncapped', settings()],
    ]);
    const wanted = new Map([
      ['capped', settings()],
      ['uncapped', settings({ maxConcurrency: 2 })],
    ]);
    expect(planWorkerChanges(running, wanted)).toEqual({ start: [], stop: [], replace: [], resize: [], ceiling: ['capped', 'uncapped'] });
  });

  it('changes nothing for the same settings', () => {
    const same = new Map([['mock', settings()]]);
    expect(planWorkerChanges(same, new Map(same))).toEqual({ start: [], stop: [], replace: [], resize: [], ceiling: [] });
  });
});

describe('workerSettingsOf', () => {
  it('takes the provider and worker settings, with the command line overriding the concurrency', () => {
    const config = loadConfig({ env: {}, overrides: { providers: { mock: { concurrency: 12, requestsPerMinute: 30, maxConcurrency: 6 } } } });
    expect(workerSettingsOf(config, 'mock')).toEqual({
      concurrency: 12,
      limiter: { max: 30, duration: 60_000 },
      lockDuration: config.worker.lockDurationMs,
      stalledInterval: config.worker.stalledIntervalMs,
      maxConcurrency: 6,
    });
    expect(workerSettingsOf(config, 'mock', { concurrency: 3 }).concurrency).toBe(3);
    // Unlimited still has a limiter, so a 429's pause on the queue is honoured.
    expect(workerSettingsOf(loadConfig({ env: {} }), 'mock').limiter.max).toBeGreaterThan(1e15);
  });
});

describe('selectedProviders', () => {
  it('follows the enabled providers under all, and keeps a named list to those enabled', () => {
    const config = loadConfig({
      env: {},
      overrides: { providers: { 'mock-b': { kind: 'mock', enabled: true }, 'mock-off': { kind: 'mock', enabled: false } } },
    });
    expect(selectedProviders(config, 'all')).toEqual(expect.arrayContaining(['mock', 'mock-b']));
    expect(selectedProviders(config, 'all')).not.toContain('mock-off');
    expect(selectedProviders(config, ['mock-b', 'mock-off', 'gone'])).toEqual(['mock-b']);
  });
});
