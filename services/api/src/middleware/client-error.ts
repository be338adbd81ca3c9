// Requests Node's HTTP parser refuses (a 100 KB header, a bad request line, a malformed
// header) never reach Express, and Node's default answer is a bare status line. This
// answers them like every other error: the JSON envelope and an x-request-id.
import { STATUS_CODES, type Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { GatewayError, newRequestId } from '@switchyard/core';
import { renderOpenAIError } from '@switchyard/formats';

type ParserError = Error & { code?: string };

/** How long a refused connection may go on sending before it is cut (its bytes are read and dropped meanwhile). */
const lingerMs = 5_000;

/** The error a parser failure stands for, by Node's error code (the statuses Node itself would send). */
export function clientErrorFor(code: string | undefined): GatewayError {
  switch (code) {
    case 'HPE_HEADER_OVERFLOW':
      return new GatewayError('request_too_large', 'request headers are too large', { status: 431 });
    case 'HPE_CHUNK_EXTENSIONS_OVERFLOW':
      return new GatewayError('request_too_large', 'chunk extensions are too large');
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return new GatewayError('timeout', 'the request was not received in time', { status: 408 });
    default:
      return new GatewayError('invalid_request', 'malformed HTTP request');
  }
}

/** The whole HTTP/1.1 response, written straight to the socket since no ServerResponse exists. */
export function clientErrorResponse(error: GatewayError, requestId: string): string {
  const body = JSON.stringify(renderOpenAIError(error.toBody()));
  return [
    `HTTP/1.1 ${error.status} ${STATUS_CODES[error.status] ?? 'Error'}`,
    'content-type: application/json; charset=utf-8',
    `content-length: ${Buffer.byteLength(body)}`,
    `x-request-id: ${requestId}`,
    'connection: close',
    '',
    body,
  ].join('\r\n');
}

export function handleClientError(error: ParserError, socket: Duplex): void {
  // A response already under way on this connection (keep-alive) cannot take another status line.
  const current = (socket as Duplex & { _httpMessage?: { headersSent?: boolean } })._httpMessage;
  if (error.code === 'ECONNRESET' || !socket.writable || current?.headersSent) {
    socket.destroy();
    return;
  }
  socket.end(clientErrorResponse(clientErrorFor(error.code), newRequestId()));
  // Closing with unread bytes would reset the connection and could lose the answer, so the
  // rest of the request is read and dropped until the client closes, or the linger ends.
  socket.on('error', () => {});
  socket.resume();
  const timer = setTimeout(() => socket.destroy(), lingerMs).unref();
  socket.once('close', () => clearTimeout(timer));
}

export function answerClientErrors(server: Server): void {
  server.on('clientError', handleClientError);
}
