import { describe, expect, it } from 'vitest';
import { embeddedStartParams } from './pglite-settings.ts';

describe('embeddedStartParams', () => {
  it('keeps PGlite defaults and appends a small shared_buffers, so it wins over the default', () => {
    expect(embeddedStartParams(['--single', '-c', 'search_path=public'])).toEqual(['--single', '-c', 'search_path=public', '-c', 'shared_buffers=16MB']);
  });

  it('takes another size', () => {
    expect(embeddedStartParams([], '8MB')).toEqual(['-c', 'shared_buffers=8MB']);
  });
});
