import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';

export type ReceivedWebhook = { headers: Record<string, string>; body: string; at: number };

/** How a receiver answers its n-th request (from 0); not answering leaves the request hanging. */
export type ReceiverHandler = (request: ReceivedWebhook, index: number, response: ServerResponse) => void;

export type WebhookReceiver = {
  url: string;
  /** `127.0.0.1:<port>`, for the webhooks allow list. */
  hostPort: string;
  port: number;
  received: ReceivedWebhook[];
  /** TCP connections accepted (a refused destination must leave this at 0). */
  connections(): number;
  /** Requests being answered right now, and the most there ever were at once. */
  inFlight(): number;
  maxInFlight(): number;
  close(): Promise<void>;
};

const answerOk: ReceiverHandler = (_request, _index, response) => response.writeHead(200, { 'content-type': 'text/plain' }).end('ok');

/** A real HTTP receiver on 127.0.0.1 recording every request with its arrival time. */
export async function startWebhookReceiver(handler: ReceiverHandler = answerOk): Promise<WebhookReceiver> {
  const received: ReceivedWebhook[] = [];
  let connections = 0;
  let inFlight = 0;
  let maxInFlight = 0;
  const server = createServer((request: IncomingMessage, response: ServerResponse) => {
    inFlight += 1;
    maxInFlight = Math.max(maxInFlight, inFlight);
    response.on('close', () => (inFlight -= 1));
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const headers = Object.fromEntries(Object.entries(request.headers).map(([name, value]) => [name, String(value)]));
      const entry = { headers, body: Buffer.concat(chunks).toString('utf8'), at: Date.now() };
      received.push(entry);
      handler(entry, received.length - 1, response);
    });
  });
  server.on('connection', () => (connections += 1));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}/hooks`,
    hostPort: `127.0.0.1:${port}`,
    port,
    received,
    connections: () => connections,
    inFlight: () => inFlight,
    maxInFlight: () => maxInFlight,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** Whether the request carries a valid Standard Webhooks signature by `secret` (the library's own check). */
export function verifiesWith(secret: string, request: ReceivedWebhook): boolean {
  try {
    new Webhook(secret).verify(request.body, request.headers);
    return true;
  } catch {
    return false;
  }
}
