import { parseArgs } from 'node:util';

export const usage = `Usage: switchyard <command> [flags]

Services
  all [--port N] [--host ADDRESS] [--worker-threads N]
                                        api, workers for every enabled provider, the ledger and webhooks, in one process
                                        (listens on 127.0.0.1 unless --host or HOST says otherwise); the workers run on
                                        N worker threads (SWITCHYARD_WORKER_THREADS; default: cores - 1, at least 1;
                                        0: on the main thread)
  api [--port N] [--host ADDRESS]       the HTTP ingress (needs DATABASE_URL; listens on 0.0.0.0 by default)
  worker --provider <name[,name]|all> [--concurrency N] [--metrics-port N]
                                        provider workers
  ledger [--metrics-port N]             the ledger writer and the batch driver (needs DATABASE_URL)
  webhooks [--metrics-port N]           webhook delivery from the outbox (needs DATABASE_URL; any number may run)

  The api (and all) serve GET /metrics on their own port; worker, ledger and webhooks on
  --metrics-port N or METRICS_PORT (not served when neither is set). With
  SWITCHYARD_METRICS_KEY set, scrapes need Authorization: Bearer <key>.

Administration
  migrate                               apply database migrations
  orgs create --name NAME [--budget USD] [--rpm N] [--tpm N]
  orgs list
  orgs update ID [--budget USD|none] [--rpm N|none] [--tpm N|none]
  keys create --org ORG_ID [--name NAME]
  keys list --org ORG_ID                ids, names and prefixes, never the secrets
  keys revoke KEY_ID                    refused at once by every api process

With the embedded database (no DATABASE_URL) while "switchyard all" runs, these commands
go through its admin API.

Configuration comes from SWITCHYARD_CONFIG (YAML) and the environment (REDIS_URL,
DATABASE_URL, PORT, HOST, METRICS_PORT, SWITCHYARD_ADMIN_KEY, SWITCHYARD_METRICS_KEY,
<PROVIDER>_API_KEY, <PROVIDER>_BASE_URL).`;

export function parseCommandLine(argv: string[]) {
  return parseArgs({
    args: argv,
    allowPositionals: true,
    strict: true,
    options: {
      provider: { type: 'string' },
      concurrency: { type: 'string' },
      'metrics-port': { type: 'string' },
      'worker-threads': { type: 'string' },
      port: { type: 'string' },
      host: { type: 'string' },
      name: { type: 'string' },
      org: { type: 'string' },
      budget: { type: 'string' },
      rpm: { type: 'string' },
      tpm: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
}

export function positiveInteger(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value) || Number(value) <= 0) throw new Error(`--${flag} must be a positive integer, got "${value}"`);
  return Number(value);
}
