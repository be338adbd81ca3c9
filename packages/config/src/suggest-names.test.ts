import { describe, expect, it } from 'vitest';
import { loadConfig } from './load-config.ts';
import { modelNotFoundMessage, suggestModels } from './model-not-found.ts';
import { editDistance, suggestNames } from './suggest-names.ts';

describe('suggestNames', () => {
  it('counts edits', () => {
    expect(editDistance('gpt-4o', 'gpt-4o')).toBe(0);
    expect(editDistance('gtp-4o', 'gpt-4o')).toBe(2);
    expect(editDistance('sonar', 'sonar-pro')).toBe(4);
  });

  it('prefers shared words, then fewer typos, and suggests nothing far away', () => {
    expect(suggestNames('gpt-4o-mni', ['gpt-4o', 'gpt-4o-mini', 'claude-3-haiku'])[0]).toBe('gpt-4o-mini');
    expect(suggestNames('lockDurationMS', ['lockDurationMs', 'stalledIntervalMs'])).toEqual(['lockDurationMs']);
    expect(suggestNames('zzzz', ['gpt-4o', 'sonar'])).toEqual([]);
    expect(
      suggestNames('sonar-large', [
        { name: 'grok-3', keywords: ['xai'] },
        { name: 'sonar', keywords: ['perplexity'] },
      ]),
    ).toEqual(['sonar']);
  });
});

describe('suggestModels', () => {
  const config = loadConfig({ env: {} });

  it('answers retired names with the catalog models closest to them', () => {
    expect(suggestModels(config, 'grok-beta')).toEqual(['grok-3', 'grok-4', 'grok-3-mini']);
    expect(suggestModels(config, 'perplexity-sonar-large')).toEqual(['sonar-pro', 'sonar']);
    expect(suggestModels(config, 'claude-3-sonnet')[0]).toBe('claude-3-5-sonnet');
  });

  it('builds the 404 message', () => {
    expect(modelNotFoundMessage(config, 'grok-beta')).toBe(
      'The model `grok-beta` does not exist or you do not have access to it. Did you mean `grok-3`, `grok-4`, `grok-3-mini`?',
    );
    expect(modelNotFoundMessage(config, 'zzzzzzzz')).toBe('The model `zzzzzzzz` does not exist or you do not have access to it.');
  });
});
