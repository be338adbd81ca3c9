import { pino, type Logger, type LoggerOptions } from 'pino';

// Secrets and prompt content never reach the logs: keys, auth headers, webhook secrets,
// and anything that carries messages or model output are censored by path.
export const redactedPaths = [
  'apiKey',
  '*.apiKey',
  'key',
  '*.key',
  'secret',
  '*.secret',
  // Webhook signing secrets: an endpoint row's previous secret, a delivery's signing secrets.
  'previous_secret',
  '*.previous_secret',
  'secrets',
  '*.secrets',
  'adminKey',
  '*.adminKey',
  'authorization',
  '*.authorization',
  'headers.authorization',
  'headers["x-api-key"]',
  'headers["api-key"]',
  '*.headers.authorization',
  '*.headers["x-api-key"]',
  '*.headers["api-key"]',
  'messages',
  '*.messages',
  'prompt',
  '*.prompt',
  'input',
  '*.input',
  'output',
  '*.output',
  'body',
  '*.body',
  'content',
  '*.content',
];

export type { Logger };

export function createLogger(options: { name?: string; level?: string; destination?: NodeJS.WritableStream } = {}): Logger {
  const pinoOptions: LoggerOptions = {
    name: options.name ?? 'switchyard',
    level: options.level ?? process.env.LOG_LEVEL ?? 'info',
    redact: { paths: redactedPaths, censor: '[redacted]' },
    base: { pid: process.pid },
    timestamp: pino.stdTimeFunctions.isoTime,
  };
  return options.destination ? pino(pinoOptions, options.destination as pino.DestinationStream) : pino(pinoOptions);
}

/** A logger that drops everything (tests, benchmarks). */
export function createSilentLogger(): Logger {
  return pino({ level: 'silent' });
}

/**
 * The destination a logger writes its lines to. `all` writes its worker threads' lines
 * (whole lines, sent as messages) there, so one writer owns stdout and no line interleaves.
 */
export function logDestinationOf(logger: Logger): pino.DestinationStream {
  return (logger as unknown as Record<symbol, pino.DestinationStream>)[pino.symbols.streamSym]!;
}
