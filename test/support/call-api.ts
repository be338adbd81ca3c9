/** A JSON answer of the gateway: its status and parsed body. */
export type ApiAnswer = { status: number; body: Record<string, any> };

/** One authenticated JSON call to a gateway (`on`: its base URL and an API key, another key if given). */
export async function callApi(on: { url: string; apiKey: string }, method: string, path: string, body?: unknown, apiKey = on.apiKey): Promise<ApiAnswer> {
  const response = await fetch(`${on.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${apiKey}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: response.status, body: (await response.json()) as Record<string, any> };
}
