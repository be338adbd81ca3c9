// The logger of a thread of `switchyard all`: each pino line is one write, sent whole to
// the main thread, which writes it where its own lines go, so the one stream of `all`
// never has two writers and no line is cut by another.
import { Writable } from 'node:stream';
import type { MessagePort } from 'node:worker_threads';
import { createLogger, type Logger } from '@switchyard/logger';

export function createThreadLogger(port: MessagePort, thread: string): Logger {
  const lines = new Writable({
    decodeStrings: false,
    write(chunk, _encoding, done) {
      port.postMessage({ type: 'log', line: String(chunk) });
      done();
    },
  });
  return createLogger({ name: 'switchyard-all', destination: lines }).child({ thread });
}
