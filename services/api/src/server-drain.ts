// The api's graceful drain (SIGTERM). The listening socket closes at once, so new
// connections are refused and a load balancer moves on (GET /ready says `draining` to one
// that still asks on a kept-alive connection). What the api holds is served to its end:
// sync calls waiting for their worker, streams being relayed, and requests that still arrive
// on kept-alive connections, answered with `Connection: close` so each such connection carries
// one more at most. Idle connections are closed after a short linger (a request may be on its
// way in). Past the timeout what is left is cut.
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { Server as NetServer, type Socket } from 'node:net';

export type DrainOutcome = {
  /** Requests in flight when the drain began. */
  heldAtStart: number;
  /** Requests that arrived on kept-alive connections during the drain (served, with `Connection: close`). */
  arrivedDuringDrain: number;
  /** Requests still unanswered at the timeout, whose connections were cut. */
  cut: number;
  durationMs: number;
};

export type ServerDrain = {
  readonly draining: boolean;
  /** Counts a request in flight until its response closes; once draining, its answer closes the connection. */
  track(request: IncomingMessage, response: ServerResponse): void;
  /** Stops listening and resolves once every connection is closed: all answered, or cut after `timeoutMs`. Idempotent. */
  drain(timeoutMs: number): Promise<DrainOutcome>;
};

/**
 * How long an idle kept-alive connection (idle when the drain began, or left open by a
 * stream begun before it) waits for the client's next request, which is served with
 * `Connection: close`, before it is closed. A client may be sending on it right now: closing
 * it at once would reset that request, which the api never read and the client cannot safely
 * send again elsewhere.
 */
const lingerMs = 1000;

export function createServerDrain(server: Server): ServerDrain {
  const inFlight = new Set<ServerResponse>();
  const connections = new Set<Socket>();
  server.on('connection', (socket: Socket) => {
    connections.add(socket);
    socket.once('close', () => connections.delete(socket));
  });
  /** Requests in flight per connection, so a lingering one is closed only while it holds none. */
  const busy = new Map<Socket, number>();
  let arrivedDuringDrain = 0;
  let draining: Promise<DrainOutcome> | undefined;

  // Headers not yet sent (a sync call still waiting) can still say close; a stream already
  // under way said keep-alive, so its connection lingers after the stream (see lingerMs).
  const closeAfterAnswer = (response: ServerResponse) => {
    if (!response.headersSent) response.setHeader('connection', 'close');
  };
  // Bytes read meanwhile are a request on its way in: it is left to arrive (and close the connection after its answer).
  const closeOnceIdle = (socket: Socket) => {
    const readBefore = socket.bytesRead;
    setTimeout(() => {
      if (socket.destroyed || busy.has(socket)) return;
      if (socket.bytesRead !== readBefore) closeOnceIdle(socket);
      else socket.destroy();
    }, lingerMs);
  };

  const run = async (timeoutMs: number): Promise<DrainOutcome> => {
    const startedAt = Date.now();
    const heldAtStart = inFlight.size;
    // net.Server's close stops listening and calls back once the last connection has closed;
    // http.Server's would also cut the idle connections at once (see lingerMs).
    const closed = new Promise<void>((resolve) => NetServer.prototype.close.call(server, () => resolve()));
    for (const response of inFlight) closeAfterAnswer(response);
    for (const socket of connections) if (!busy.has(socket)) closeOnceIdle(socket);
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<false>((resolve) => {
      timer = setTimeout(() => resolve(false), timeoutMs);
    });
    const finished = await Promise.race([closed.then(() => true), timedOut]);
    clearTimeout(timer);
    const cut = finished ? 0 : inFlight.size;
    if (!finished) server.closeAllConnections();
    await closed;
    // With no connection left, http.Server's close only stops its request-timeout timer (and calls back "not running").
    server.close(() => {});
    return { heldAtStart, arrivedDuringDrain, cut, durationMs: Date.now() - startedAt };
  };

  return {
    get draining() {
      return draining !== undefined;
    },
    track(request, response) {
      const socket = request.socket;
      inFlight.add(response);
      busy.set(socket, (busy.get(socket) ?? 0) + 1);
      if (draining) {
        arrivedDuringDrain += 1;
        closeAfterAnswer(response);
      }
      response.once('close', () => {
        inFlight.delete(response);
        const left = busy.get(socket)! - 1;
        if (left > 0) busy.set(socket, left);
        else busy.delete(socket);
        if (draining && left === 0 && !socket.destroyed && response.getHeader('connection') !== 'close') closeOnceIdle(socket);
      });
    },
    drain(timeoutMs) {
      draining ??= run(timeoutMs);
      return draining;
    },
  };
}
