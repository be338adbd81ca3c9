// Child process: the baseline. A minimal direct pass-through proxy (Express 5 + an undici
// keep-alive pool, no queue) forwarding POST /v1/chat/completions to the upstream byte for
// byte, streamed answers included. Arguments: <upstream base url (with /v1)>. Sends { url } over IPC.
import type { AddressInfo } from 'node:net';
import { pipeline } from 'node:stream/promises';
import express from 'express';
import { Pool } from 'undici';

const upstreamBase = new URL(process.argv[2] ?? 'http://127.0.0.1:1/v1');
const upstreamPath = `${upstreamBase.pathname.replace(/\/+$/, '')}/chat/completions`;
// More sockets than the heaviest scenario has requests in flight (2,000 streams): none of them queues here.
const pool = new Pool(upstreamBase.origin, { connections: 4096, pipelining: 1, keepAliveTimeout: 60_000 });

const app = express();
app.disable('x-powered-by');
app.disable('etag');
app.post('/v1/chat/completions', express.raw({ type: '*/*', limit: '4mb' }), async (request, response) => {
  try {
    const upstream = await pool.request({
      path: upstreamPath,
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: 'Bearer sk-upstream' },
      body: request.body as Buffer,
    });
    response.status(upstream.statusCode);
    for (const name of ['content-type', 'content-length', 'cache-control']) {
      const value = upstream.headers[name];
      if (typeof value === 'string') response.setHeader(name, value);
    }
    await pipeline(upstream.body, response);
  } catch (error) {
    if (!response.headersSent) response.status(502).json({ error: { message: (error as Error).message, type: 'api_error' } });
    else response.destroy();
  }
});

const server = app.listen(0, '127.0.0.1', () => {
  process.send!({ url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` });
});
server.keepAliveTimeout = 65_000;

const stop = () => {
  server.close();
  server.closeAllConnections();
  void pool.close().finally(() => process.exit(0));
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
process.on('disconnect', stop);
