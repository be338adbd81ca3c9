import type { Dispatcher } from 'undici';

/** An upstream answer as undici.request gives it: lowercase header keys, a Node Readable body. */
export type UpstreamResponse = Pick<Dispatcher.ResponseData, 'statusCode' | 'headers' | 'body'>;

export type UpstreamHeaders = UpstreamResponse['headers'];

/** A header's value; repeated headers are joined as the Fetch standard does. */
export function headerValue(headers: UpstreamHeaders, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value.join(', ') : value;
}
