// OpenAI message content (a string or an array of parts) -> canonical content parts.
import type { ContentPart, ImagePart } from '@switchyard/core';
import { allowedImageUrls, imageSourceOfUrl } from '../shared/image-url.ts';
import { invalid, requireArray, requireRecord, requireString } from './validation.ts';

export function parseImageUrl(url: string, param: string): ImagePart {
  const source = imageSourceOfUrl(url);
  if (source) return { type: 'image', source };
  return invalid(param, `Invalid '${param}': expected ${allowedImageUrls}.`);
}

/**
 * `allowImages` is false for system, assistant and tool messages, where OpenAI only
 * accepts text (assistant `refusal` parts are kept as text).
 */
export function parseContent(value: unknown, param: string, options: { allowImages: boolean }): ContentPart[] {
  if (typeof value === 'string') return value.length > 0 ? [{ type: 'text', text: value }] : [];
  const items = requireArray(value, param);
  return items.map((item, index): ContentPart => {
    const partParam = `${param}[${index}]`;
    const part = requireRecord(item, partParam);
    if (part.type === 'text') return { type: 'text', text: requireString(part.text, `${partParam}.text`) };
    if (part.type === 'refusal' && !options.allowImages) {
      return { type: 'text', text: requireString(part.refusal, `${partParam}.refusal`) };
    }
    if (part.type === 'image_url' && options.allowImages) {
      const imageUrl = part.image_url;
      const urlParam = `${partParam}.image_url.url`;
      // Some clients send the URL string directly instead of `{ url }`.
      const url = typeof imageUrl === 'string' ? imageUrl : requireString(requireRecord(imageUrl, `${partParam}.image_url`).url, urlParam);
      return parseImageUrl(url, urlParam);
    }
    return invalid(
      `${partParam}.type`,
      `Invalid value: ${JSON.stringify(part.type)}. Supported values are: ${options.allowImages ? "'text' and 'image_url'" : "'text'"}.`,
    );
  });
}
