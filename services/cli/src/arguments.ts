import { parseArgs } from 'node:util';

export const usage = `Usage: switchyard <command> [flags]

Services
  all                                   api, workers for every enabled provider and the ledger, in one process
  api [--port N]                        the HTTP ingress (needs DATABASE_URL)
  worker --provider <name[,name]|all> [--concurrency N]
                                        provider workers
  ledger                                the ledger writer (needs DATABASE_URL)

Administration
  migrate                               apply database migrations
  orgs create --name NAME [--budget USD] [--rpm N] [--tpm N]
  orgs list
  orgs update ID [--budget USD] [--rpm N] [--tpm N]
  keys create --org ORG_ID [--name NAME]
  keys revoke KEY_ID

Configuration comes from SWITCHYARD_CONFIG (YAML) and the environment (REDIS_URL,
DATABASE_URL, PORT, SWITCHYARD_ADMIN_KEY, <PROVIDER>_API_KEY, <PROVIDER>_BASE_URL).`;

export function parseCommandLine(argv: string[]) {
  return parseArgs({
    args: argv,
    allowPositionals: true,
    strict: true,
    options: {
      provider: { type: 'string' },
      concurrency: { type: 'string' },
      port: { type: 'string' },
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
