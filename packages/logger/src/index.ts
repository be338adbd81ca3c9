export { createLogger, createSilentLogger, redactedPaths, type Logger } from './create-logger.ts';
