// An Express response as a server-sent event stream that reports back-pressure instead
// of buffering: `write` answers false once the socket is backed up, `drained` says when
// to go on.
import type { Response } from 'express';

export type SseSink = {
  /** Writes SSE text; false when the client is backed up (wait for `drained`). */
  write(text: string): boolean;
  /** Resolves once the client has taken what was written, or has gone. */
  drained(): Promise<void>;
  end(): void;
  /** True once the client left or the stream was ended. */
  readonly finished: boolean;
};

export type SseResponse = SseSink & {
  /** Status 200 and the event-stream headers, flushed at once. */
  open(headers?: Record<string, string>): void;
};

export function createSseResponse(response: Response, options: { keepAliveMs: number }): SseResponse {
  let lastWriteAt = Date.now();
  let timer: NodeJS.Timeout | undefined;
  let ended = false;

  const stopKeepAlive = () => {
    clearInterval(timer);
    timer = undefined;
  };
  response.once('close', stopKeepAlive);

  const sse: SseResponse = {
    open(headers = {}) {
      response.status(200);
      response.setHeader('content-type', 'text/event-stream');
      response.setHeader('cache-control', 'no-cache');
      // No `connection` header of our own: Node says keep-alive, or close while the api drains.
      // Proxies (nginx) must pass events through as they come.
      response.setHeader('x-accel-buffering', 'no');
      for (const [name, value] of Object.entries(headers)) response.setHeader(name, value);
      response.flushHeaders();
      response.socket?.setNoDelay(true);
      lastWriteAt = Date.now();
      // Comments keep idle connections (a job still queued) from being cut by proxies.
      timer = setInterval(() => {
        if (!sse.finished && !response.writableNeedDrain && Date.now() - lastWriteAt >= options.keepAliveMs) sse.write(': keep-alive\n\n');
      }, options.keepAliveMs);
      timer.unref();
    },
    write(text) {
      if (sse.finished) return false;
      lastWriteAt = Date.now();
      return response.write(text);
    },
    drained() {
      if (sse.finished || !response.writableNeedDrain) return Promise.resolve();
      return new Promise((resolve) => {
        const done = () => {
          response.off('drain', done);
          response.off('close', done);
          resolve();
        };
        response.on('drain', done);
        response.on('close', done);
      });
    },
    end() {
      if (ended) return;
      ended = true;
      stopKeepAlive();
      if (!response.destroyed) response.end();
    },
    get finished() {
      return ended || response.destroyed || response.writableEnded;
    },
  };
  return sse;
}
