export { createLogger, createSilentLogger, logDestinationOf, redactedPaths, type Logger } from './create-logger.ts';
