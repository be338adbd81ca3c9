#!/usr/bin/env node
// The one Switchyard binary. Each service's own wiring lives in its package
// (startApi, startWorkers, startLedger); this file only dispatches.
import { ConfigError } from '@switchyard/config';
import { createLogger } from '@switchyard/logger';
import { parseCommandLine, positiveInteger, usage } from './arguments.ts';
import { runAdmin } from './commands/admin.ts';
import { runAll } from './commands/run-all.ts';
import { runApi } from './commands/run-api.ts';
import { runLedger } from './commands/run-ledger.ts';
import { runWorker } from './commands/run-worker.ts';

async function main(argv: string[]): Promise<void> {
  const { values, positionals } = parseCommandLine(argv);
  const [command, ...rest] = positionals;
  if (!command || values.help) {
    process.stdout.write(`${usage}\n`);
    return;
  }
  const logger = createLogger({ name: `switchyard-${command}` });
  const port = positiveInteger(values.port, 'port');
  switch (command) {
    case 'all':
      // One machine's whole system: reachable from this machine only unless asked.
      return runAll(logger, { port, host: values.host ?? (process.env.HOST || '127.0.0.1') });
    case 'api':
      return runApi(logger, { port, host: values.host ?? (process.env.HOST || undefined) });
    case 'worker':
      if (!values.provider) throw new Error('worker needs --provider <name[,name]|all>');
      return runWorker(logger, { providers: values.provider, concurrency: positiveInteger(values.concurrency, 'concurrency') });
    case 'ledger':
      return runLedger(logger);
    case 'migrate':
    case 'orgs':
    case 'keys':
      return runAdmin(command, rest, values);
    default:
      throw new Error(`unknown command "${command}"\n\n${usage}`);
  }
}

main(process.argv.slice(2)).catch((error: unknown) => {
  const message = error instanceof ConfigError || error instanceof Error ? error.message : String(error);
  process.stderr.write(`switchyard: ${message}\n`);
  process.exit(1);
});
