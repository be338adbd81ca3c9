// The entry of one worker thread of `switchyard all` (started by worker-thread-pool.ts): the
// provider workers for every enabled provider, on Redis only, with the thread's own live
// config, registry and tracer (modules load once per thread). It logs through the main
// thread, answers the main thread's metrics requests, and drains on its stop message.
import { parentPort, workerData } from 'node:worker_threads';
import { createProcessRegistry, startTracing } from '@switchyard/observability';
import { startWorkers } from '@switchyard/worker';
import { followConfig } from '../reload-on-signal.ts';
import { createThreadLogger } from '../thread-logger.ts';
import { answerMetricsRequest } from '../thread-metrics.ts';
import { startThreadCpuProfile } from '../thread-cpu-profile.ts';
import { afterStopStep } from '../thread-stop.ts';
import type { FromThread, ToThread, WorkerThreadData } from '../worker-thread-protocol.ts';

const port = parentPort;
if (!port) throw new Error('worker-thread.ts is the entry of a worker thread of switchyard all, not a command');
const data = workerData as WorkerThreadData;
const send = (message: FromThread) => port.postMessage(message);

const logger = createThreadLogger(port, data.thread);
const profile = startThreadCpuProfile(data.thread);

/**
 * Test-only fault (integration tests of the crash handling): `SWITCHYARD_TEST_CRASH_WORKER_THREAD
 * = <thread>:<starts>:<afterMs>` makes that thread throw an uncaught error `afterMs` after it is
 * ready, on its first `starts` starts. A real uncaught error, handled as any other would be.
 */
function scheduleTestCrash(): void {
  const [thread, starts, afterMs] = (process.env.SWITCHYARD_TEST_CRASH_WORKER_THREAD ?? '').split(':');
  if (thread !== data.thread || data.start > Number(starts)) return;
  setTimeout(() => {
    throw new Error(`test crash of ${data.thread} (SWITCHYARD_TEST_CRASH_WORKER_THREAD)`);
  }, Number(afterMs) || 0);
}

async function start() {
  // Off unless OTEL_* asks for it; on, the thread's spans go out under the same service name.
  const tracing = await startTracing({ serviceName: 'switchyard', logger });
  const { live, bus } = await followConfig(logger, 'worker', { overrides: data.overrides, sighup: false });
  // Every series says which thread it counts; CPU and memory are the process's, which the main thread reports once.
  const registry = createProcessRegistry({ processMetrics: false, labels: { thread: data.thread } });
  const workers = await startWorkers({ config: live, logger, providers: 'all', registry });
  return {
    registry,
    async stop() {
      await workers.stop();
      await bus.close();
      await tracing.shutdown();
    },
  };
}

const started = start();
port.on('message', (message: ToThread) => {
  if (message.type === 'metrics') return answerMetricsRequest(port, started, message.id);
  afterStopStep(
    started.then((running) => running.stop()),
    { logger, thread: 'worker thread', done: () => void profile.write().finally(() => process.exit(0)) },
  );
});
// A failed start is this thread's crash: thrown uncaught, the main thread logs and restarts it.
void started.then(() => {
  send({ type: 'ready' });
  scheduleTestCrash();
});
