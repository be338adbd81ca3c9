import { describe, expect, it } from 'vitest';
import { canonicalJson, responseCacheDigest, type CacheKeyInput } from './cache-key.ts';

const base: CacheKeyInput = {
  orgId: 'org_a',
  endpoint: '/v1/chat/completions',
  modelId: 'mock-fast',
  body: { model: 'mock-fast', temperature: 0, messages: [{ role: 'user', content: 'hi' }] },
};

describe('responseCacheDigest', () => {
  it('ignores key order and whitespace', () => {
    const reordered = JSON.parse('{ "messages": [ {"content": "hi", "role": "user"} ],   "temperature": 0, "model": "mock-fast" }');
    expect(responseCacheDigest({ ...base, body: reordered })).toBe(responseCacheDigest(base));
  });

  it('ignores stream and stream_options only', () => {
    const streamed = { ...(base.body as object), stream: true, stream_options: { include_usage: true } };
    expect(responseCacheDigest({ ...base, body: streamed })).toBe(responseCacheDigest(base));
    expect(responseCacheDigest({ ...base, body: { ...(base.body as object), max_tokens: 5 } })).not.toBe(responseCacheDigest(base));
    expect(responseCacheDigest({ ...base, body: { ...(base.body as object), tools: [] } })).not.toBe(responseCacheDigest(base));
  });

  it('differs per org, route, resolved model and message content', () => {
    const digest = responseCacheDigest(base);
    expect(responseCacheDigest({ ...base, orgId: 'org_b' })).not.toBe(digest);
    expect(responseCacheDigest({ ...base, endpoint: '/v1/messages' })).not.toBe(digest);
    expect(responseCacheDigest({ ...base, modelId: 'mock-slow' })).not.toBe(digest);
    expect(responseCacheDigest({ ...base, body: { ...(base.body as object), messages: [{ role: 'user', content: 'hi ' }] } })).not.toBe(digest);
    expect(responseCacheDigest({ ...base, body: { ...(base.body as object), temperature: 0.0001 } })).not.toBe(digest);
  });

  it('keeps array order', () => {
    const two = (first: string, second: string) => ({
      ...base,
      body: {
        model: 'mock-fast',
        messages: [
          { role: 'user', content: first },
          { role: 'user', content: second },
        ],
      },
    });
    expect(responseCacheDigest(two('a', 'b'))).not.toBe(responseCacheDigest(two('b', 'a')));
  });
});

describe('canonicalJson', () => {
  it('sorts keys at every depth and drops undefined fields', () => {
    expect(canonicalJson({ b: 1, a: { d: [1, { y: 2, x: 1 }], c: undefined } })).toBe('{"a":{"d":[1,{"x":1,"y":2}]},"b":1}');
  });

  it('cannot be confused by keys that look like structure', () => {
    expect(canonicalJson({ 'a":1,"b': 2 })).not.toBe(canonicalJson({ a: 1, b: 2 }));
  });
});
