import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { connect, type AddressInfo, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { connectionError, eventually } from '@switchyard/testing';
import { createServerDrain, type ServerDrain } from './server-drain.ts';

// A plain HTTP server with the drain in front of its handler, driven over raw sockets so
// the test sees exactly what goes over the wire: headers, closes and refusals.
type Held = { request: IncomingMessage; response: ServerResponse };

let server: Server | undefined;
const sockets: Socket[] = [];

afterEach(async () => {
  for (const socket of sockets.splice(0)) socket.destroy();
  server?.closeAllConnections();
  if (server?.listening) await new Promise((resolve) => server!.close(resolve));
  server = undefined;
});

async function startServer(): Promise<{ port: number; drain: ServerDrain; held: Held[] }> {
  const held: Held[] = [];
  const started = createServer();
  // As long as the api's, so only the drain closes a kept-alive connection here.
  started.keepAliveTimeout = 65_000;
  const drain = createServerDrain(started);
  started.on('request', (request, response) => {
    drain.track(request, response);
    // /hold waits for the test; /stream opens a chunked answer the test ends; the rest answers at once.
    if (request.url === '/stream') {
      response.writeHead(200, { 'content-type': 'text/event-stream' });
      response.write('data: first\n\n');
    }
    if (request.url === '/hold' || request.url === '/stream') held.push({ request, response });
    else response.end(`answered ${request.url}`);
  });
  await new Promise<void>((resolve) => started.listen(0, '127.0.0.1', resolve));
  server = started;
  return { port: (started.address() as AddressInfo).port, drain, held };
}

/** A raw connection that collects what the server sends, and whether it closed. */
async function openConnection(port: number) {
  const socket = connect(port, '127.0.0.1');
  sockets.push(socket);
  let received = '';
  let closed = false;
  socket.on('data', (chunk) => (received += String(chunk)));
  socket.on('close', () => (closed = true));
  socket.on('error', () => {});
  await new Promise((resolve) => socket.once('connect', resolve));
  return {
    send: (path: string) => socket.write(`GET ${path} HTTP/1.1\r\nhost: localhost\r\n\r\n`),
    received: () => received,
    closed: () => closed,
  };
}

describe('server drain', () => {
  it('refuses new connections at once, closes idle ones, and answers a held request with Connection: close', async () => {
    const { port, drain, held } = await startServer();
    const idle = await openConnection(port);
    idle.send('/warm-up');
    await eventually('the warm-up answer', () => idle.received().includes('answered /warm-up'));
    const busy = await openConnection(port);
    busy.send('/hold');
    await eventually('the held request', () => held.length === 1);

    const drained = drain.drain(120_000);
    expect(drain.draining).toBe(true);
    expect(await connectionError(port)).toBe('ECONNREFUSED');
    await eventually('the idle connection to be closed', () => idle.closed());
    expect(busy.closed()).toBe(false);

    held[0]!.response.end('held answer');
    expect(await drained).toMatchObject({ heldAtStart: 1, arrivedDuringDrain: 0, cut: 0 });
    await eventually('the answered connection to be closed', () => busy.closed());
    expect(busy.received()).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
    expect(busy.received()).toMatch(/\r\nconnection: close\r\n/i);
    expect(busy.received()).toContain('held answer');
  });

  it('serves a request sent on a connection that was idle when the drain began, with Connection: close', async () => {
    const { port, drain } = await startServer();
    const connection = await openConnection(port);
    connection.send('/first');
    await eventually('the first answer', () => connection.received().includes('answered /first'));
    const drained = drain.drain(120_000);
    // A client that picked this idle kept-alive connection just as the drain began.
    connection.send('/second');
    await eventually('the connection to be closed after the second answer', () => connection.closed());
    expect(await drained).toMatchObject({ heldAtStart: 0, arrivedDuringDrain: 1, cut: 0 });
    const second = connection.received().slice(connection.received().indexOf('HTTP/1.1', 1));
    expect(second).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
    expect(second).toMatch(/\r\nconnection: close\r\n/i);
    expect(second).toContain('answered /second');
  });

  it('relays a stream that began before the drain to its end, then closes its connection', async () => {
    const { port, drain, held } = await startServer();
    const streaming = await openConnection(port);
    streaming.send('/stream');
    await eventually('the stream to begin', () => streaming.received().includes('data: first'));
    expect(streaming.received()).toMatch(/\r\nconnection: keep-alive\r\n/i);

    const drained = drain.drain(120_000);
    held[0]!.response.write('data: second\n\n');
    await eventually('the second event during the drain', () => streaming.received().includes('data: second'));
    held[0]!.response.end('data: [DONE]\n\n');
    await eventually('the connection to be closed after the stream', () => streaming.closed());
    expect(await drained).toMatchObject({ heldAtStart: 1, cut: 0 });
    expect(streaming.received()).toContain('data: [DONE]');
  });

  it('keeps a connection a stream left open for the next request, and serves that with Connection: close', async () => {
    const { port, drain, held } = await startServer();
    const connection = await openConnection(port);
    connection.send('/stream');
    await eventually('the stream to begin', () => connection.received().includes('data: first'));
    const drained = drain.drain(120_000);
    held[0]!.response.end('data: [DONE]\n\n');
    await eventually('the end of the stream', () => connection.received().includes('data: [DONE]'));
    // The client reuses the kept-alive connection at once, as a load balancer does.
    connection.send('/after');
    await eventually('the connection to be closed after the second answer', () => connection.closed());
    expect(await drained).toMatchObject({ heldAtStart: 1, arrivedDuringDrain: 1, cut: 0 });
    const second = connection.received().slice(connection.received().indexOf('HTTP/1.1', 1));
    expect(second).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
    expect(second).toMatch(/\r\nconnection: close\r\n/i);
    expect(second).toContain('answered /after');
  });

  it('cuts what is still unanswered at the timeout and counts it', async () => {
    const { port, drain, held } = await startServer();
    const stuck = await openConnection(port);
    stuck.send('/hold');
    await eventually('the held request', () => held.length === 1);
    expect(await drain.drain(200)).toMatchObject({ heldAtStart: 1, cut: 1 });
    await eventually('the cut connection to be closed', () => stuck.closed());
    expect(stuck.received()).toBe('');
  });
});
