import { describe, expect, it } from 'vitest';
import { imageSourceOfUrl } from './image-url.ts';

describe('imageSourceOfUrl', () => {
  it('passes http(s) URLs on and inlines base64 data URLs', () => {
    expect(imageSourceOfUrl('https://example.com/cat.png')).toEqual({ type: 'url', url: 'https://example.com/cat.png' });
    expect(imageSourceOfUrl('HTTP://example.com/cat.png')).toEqual({ type: 'url', url: 'HTTP://example.com/cat.png' });
    expect(imageSourceOfUrl('data:image/png;base64,iVBOR')).toEqual({ type: 'base64', mediaType: 'image/png', data: 'iVBOR' });
  });

  it.each([
    'file:///etc/passwd',
    'ftp://example.com/a.png',
    'gopher://127.0.0.1:6379/_INFO',
    'javascript:alert(1)',
    'http://',
    '/etc/passwd',
    'data:image/png,raw',
  ])('refuses %s', (url) => {
    expect(imageSourceOfUrl(url)).toBeUndefined();
  });
});
