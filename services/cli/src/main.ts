#!/usr/bin/env node
// The one Switchyard binary. Each service's own wiring lives in its package
// (startApi, startWorkers, startLedger, startWebhooks); this file only dispatches. Each command loads only
// its own modules, so a one-shot admin command does not pay for the whole system.
import { availableParallelism } from 'node:os';
import { ConfigError } from '@switchyard/config';
import { createLogger } from '@switchyard/logger';
import { parseCommandLine, positiveInteger, usage } from './arguments.ts';
import { workerThreadCount } from './worker-thread-count.ts';

async function main(argv: string[]): Promise<void> {
  const { values, positionals } = parseCommandLine(argv);
  const [command, ...rest] = positionals;
  if (!command || values.help) {
    process.stdout.write(`${usage}\n`);
    return;
  }
  const logger = createLogger({ name: `switchyard-${command}` });
  const port = positiveInteger(values.port, 'port');
  const metricsPort = positiveInteger(values['metrics-port'], 'metrics-port');
  switch (command) {
    case 'all':
      // One machine's whole system: reachable from this machine only unless asked.
      return (await import('./commands/run-all.ts')).runAll(logger, {
        port,
        host: values.host ?? (process.env.HOST || '127.0.0.1'),
        workerThreads: workerThreadCount({ flag: values['worker-threads'], env: process.env.SWITCHYARD_WORKER_THREADS, cores: availableParallelism() }),
      });
    case 'api':
      return (await import('./commands/run-api.ts')).runApi(logger, { port, host: values.host ?? (process.env.HOST || undefined) });
    case 'worker':
      if (!values.provider) throw new Error('worker needs --provider <name[,name]|all>');
      return (await import('./commands/run-worker.ts')).runWorker(logger, {
        providers: values.provider,
        concurrency: positiveInteger(values.concurrency, 'concurrency'),
        metricsPort,
      });
    case 'ledger':
      return (await import('./commands/run-ledger.ts')).runLedger(logger, { metricsPort });
    case 'webhooks':
      return (await import('./commands/run-webhooks.ts')).runWebhooks(logger, { metricsPort });
    case 'migrate':
    case 'orgs':
    case 'keys':
      return (await import('./commands/admin.ts')).runAdmin(command, rest, values);
    default:
      throw new Error(`unknown command "${command}"\n\n${usage}`);
  }
}

main(process.argv.slice(2)).catch((error: unknown) => {
  const message = error instanceof ConfigError || error instanceof Error ? error.message : String(error);
  process.stderr.write(`switchyard: ${message}\n`);
  process.exit(1);
});
