import type { Cluster, Redis } from 'ioredis';

type Corkable = { cork(): void; uncork(): void; write: (...args: never[]) => boolean };

const coalesced = new WeakSet<object>();

/** Corks the socket at its first write of a loop iteration and uncorks it in the iteration's check phase (`setImmediate`). */
function coalesceSocket(socket: Corkable): void {
  if (coalesced.has(socket)) return;
  coalesced.add(socket);
  const write = socket.write.bind(socket) as (...args: unknown[]) => boolean;
  let corked = false;
  const uncork = () => {
    corked = false;
    socket.uncork();
  };
  socket.write = ((...args: unknown[]) => {
    if (!corked) {
      corked = true;
      socket.cork();
      setImmediate(uncork);
    }
    return write(...args);
  }) as Corkable['write'];
}

/**
 * Commands a connection sends in one iteration of the event loop leave in one socket write.
 *
 * ioredis writes each command to its socket as it is issued: a syscall per command, and on
 * loopback each write also runs the receiving side's TCP path. A request touches Redis at
 * several points that fall in the same turn (a reply published, the ledger's entries, the
 * answered job), and under load one wake-up of the loop runs the callbacks of many requests
 * (their HTTP bodies, Redis replies and upstream answers), each with commands to send. So the
 * socket is corked at the first write of an iteration and uncorked in its check phase
 * (`setImmediate`, right after the poll phase has run every ready callback), and Node sends
 * what was buffered with one writev. Uncorking at the end of each callback
 * (`process.nextTick`) instead left about 2 more writes per request at concurrency 32.
 *
 * Unlike ioredis' auto-pipelining, nothing about the commands changes: each is queued for
 * its reply as before, in the order issued, and fails alone; only the bytes travel together.
 * On a cluster, each node's connection is treated so as the cluster makes it.
 */
export function coalesceWrites(connection: Redis | Cluster): void {
  if ('nodes' in connection) {
    connection.on('+node', (node: Redis) => coalesceWrites(node));
    return;
  }
  const apply = () => {
    if (connection.stream) coalesceSocket(connection.stream as unknown as Corkable);
  };
  // ioredis makes a new socket on every (re)connect; 'connect' comes before its queued commands are sent.
  connection.on('connect', apply);
  apply();
}
