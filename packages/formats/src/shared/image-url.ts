// One rule for image URLs on both APIs: an http(s) URL is passed on for the provider to
// fetch, a base64 data URL is inlined, and anything else (file:, ftp:, gopher:, ...) is
// refused, since whoever fetches it could be made to read local files or inner services.
import type { ImagePart } from '@switchyard/core';

const dataUrlPattern = /^data:([^;,]+);base64,(.*)$/s;

export const allowedImageUrls = 'an http(s) URL or a base64 data URL (data:<media type>;base64,<data>)';

/** The canonical image source for `url`, or undefined when the rule refuses it. */
export function imageSourceOfUrl(url: string): ImagePart['source'] | undefined {
  const inline = dataUrlPattern.exec(url);
  if (inline?.[1] && inline[2] !== undefined) return { type: 'base64', mediaType: inline[1], data: inline[2] };
  if (/^https?:\/\//i.test(url) && URL.canParse(url)) return { type: 'url', url };
  return undefined;
}
