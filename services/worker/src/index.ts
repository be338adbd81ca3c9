export { startWorkers, type RunningWorkers, type WorkerOptions } from './start-workers.ts';
export { decideOnFailure, retryDelayMs, type FailureDecision } from './decide-on-failure.ts';
export type { AttemptEvent } from './process-inference-job.ts';
