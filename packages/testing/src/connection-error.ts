import { connect } from 'node:net';

/** The error code of a TCP connection to a loopback port (`ECONNREFUSED` once nothing listens), or undefined when it connects. */
export function connectionError(port: number): Promise<string | undefined> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(undefined);
    });
    socket.once('error', (error: NodeJS.ErrnoException) => resolve(error.code));
  });
}
