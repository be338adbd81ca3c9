import { describe, expect, it } from 'vitest';
import { exceedsDepth } from './body-depth.ts';

function nested(levels: number): unknown {
  let value: unknown = 1;
  for (let level = 0; level < levels; level++) value = level % 2 === 0 ? [value] : { a: value };
  return value;
}

describe('exceedsDepth', () => {
  it('counts every array and object level', () => {
    expect(exceedsDepth(nested(3), 3)).toBe(false);
    expect(exceedsDepth(nested(4), 3)).toBe(true);
  });

  it('finds a deep branch beside shallow ones', () => {
    expect(exceedsDepth({ shallow: [1, 2], deep: nested(10) }, 5)).toBe(true);
  });

  it('treats scalars and empty containers as shallow', () => {
    expect(exceedsDepth('text', 1)).toBe(false);
    expect(exceedsDepth(undefined, 1)).toBe(false);
    expect(exceedsDepth({}, 1)).toBe(false);
    expect(exceedsDepth([[]], 1)).toBe(true);
  });

  it('walks 100,000 levels without overflowing the stack', () => {
    expect(exceedsDepth(nested(100_000), 100)).toBe(true);
  });
});
