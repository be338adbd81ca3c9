// OpenAI message content (a string or an array of parts) -> canonical content parts.
import type { ContentPart, ImagePart } from '@switchyard/core';
import { invalid, requireArray, requireRecord, requireString } from './validation.ts';

const dataUrlPattern = /^data:([^;,]+);base64,(.*)$/s;

export function parseImageUrl(url: string, param: string): ImagePart {
  if (/^https?:\/\//i.test(url)) return { type: 'image', source: { type: 'url', url } };
  const match = dataUrlPattern.exec(url);
  if (match?.[1] && match[2] !== undefined) {
    return { type: 'image', source: { type: 'base64', mediaType: match[1], data: match[2] } };
  }
  return invalid(param, `Invalid '${param}': expected an http(s) URL or a base64 data URL (data:<media type>;base64,<data>).`);
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
    return invalid(`${partParam}.type`, `Invalid value: ${JSON.stringify(part.type)}. Supported values are: ${options.allowImages ? "'text' and 'image_url'" : "'text'"}.`);
  });
}
