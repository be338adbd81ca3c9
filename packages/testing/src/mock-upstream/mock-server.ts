// The node:http server under every mock dialect: reads and records the request, tracks
// connections the client dropped, and closes every socket on close().
import { setMaxListeners } from 'node:events';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createBehaviorBook, type CallPlan } from './call-plan.ts';
import type { MockUpstream, MockUpstreamOptions, RecordedRequest } from './types.ts';

export type MockExchange = {
  request: IncomingMessage;
  response: ServerResponse;
  method: string;
  path: string;
  query: URLSearchParams;
  /** Parsed JSON, the raw text when it was not JSON, undefined when empty. */
  body: unknown;
  /** True when the body was present but not JSON. */
  invalidJson: boolean;
  /** Aborts when the client goes away or the server closes: stop writing. */
  signal: AbortSignal;
  plan(model: string): CallPlan;
  /** Destroys the socket mid-response on purpose (not counted as a client abort). */
  cutConnection(): void;
  nextId(prefix: string): string;
};

export type MockHandler = (exchange: MockExchange) => Promise<void> | void;

export async function startMockServer(options: MockUpstreamOptions, urlSuffix: string, handle: MockHandler): Promise<MockUpstream> {
  const book = createBehaviorBook(options.seed ?? 1);
  const record = options.record ?? true;
  const closing = new AbortController();
  // Every in-flight request listens for close(); a benchmark has thousands at once.
  setMaxListeners(0, closing.signal);
  const requests: RecordedRequest[] = [];
  let abortedRequests = 0;
  let inFlight = 0;
  let sequence = 0;

  const server = createServer(async (request, response) => {
    const exchangeAbort = new AbortController();
    const onServerClose = () => exchangeAbort.abort();
    closing.signal.addEventListener('abort', onServerClose, { once: true });
    let cut = false;
    inFlight++;
    response.on('close', () => {
      inFlight--;
      closing.signal.removeEventListener('abort', onServerClose);
      if (!response.writableFinished && !cut && !closing.signal.aborted) abortedRequests++;
      exchangeAbort.abort();
    });

    const receivedAt = Date.now();
    try {
      const url = request.url ?? '/';
      const queryStart = url.indexOf('?');
      const path = queryStart === -1 ? url : url.slice(0, queryStart);
      const query = new URLSearchParams(queryStart === -1 ? '' : url.slice(queryStart + 1));
      const text = await readBody(request);
      let body: unknown;
      let invalidJson = false;
      if (text) {
        try {
          body = JSON.parse(text);
        } catch {
          body = text;
          invalidJson = true;
        }
      }
      if (record) requests.push({ method: request.method ?? 'GET', path, query: Object.fromEntries(query), headers: request.headers, body, receivedAt });
      await handle({
        request,
        response,
        method: request.method ?? 'GET',
        path,
        query,
        body,
        invalidJson,
        signal: exchangeAbort.signal,
        plan: (model) => book.plan(model),
        cutConnection() {
          cut = true;
          response.socket?.destroy();
        },
        nextId: (prefix) => `${prefix}${++sequence}`,
      });
    } catch (error) {
      if (!response.headersSent) {
        response.writeHead(500, { 'content-type': 'text/plain' });
        response.end(`mock upstream failed: ${String(error)}`);
      } else response.destroy();
    }
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const origin = `http://127.0.0.1:${port}`;

  return {
    url: origin + urlSuffix,
    origin,
    port,
    requests,
    get abortedRequests() {
      return abortedRequests;
    },
    get inFlight() {
      return inFlight;
    },
    behave: (model, behavior) => book.behave(model, behavior),
    reset() {
      book.reset();
      requests.length = 0;
      abortedRequests = 0;
    },
    close() {
      closing.abort();
      return new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => resolve(chunks.length === 1 ? chunks[0]!.toString('utf8') : Buffer.concat(chunks).toString('utf8')));
    request.on('error', reject);
  });
}
