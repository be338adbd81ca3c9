// Loaded into the Portkey gateway's process (`node --import`): on Node 24 the headers of a
// fetch() Response are immutable, and Portkey 1.15.2 appends its x-portkey-* headers to the
// upstream's Response as-is when it relays an OpenAI stream ("TypeError: immutable", every
// stream answers 500). Re-wrapping each upstream Response in a new one (same body stream,
// status and headers, nothing copied or buffered) gives it headers it may change.
const originalFetch = globalThis.fetch;

globalThis.fetch = async (...args: Parameters<typeof fetch>): Promise<Response> => {
  const response = await originalFetch(...args);
  return new Response(response.body, { status: response.status, statusText: response.statusText, headers: response.headers });
};
