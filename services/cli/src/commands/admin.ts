import { loadConfig } from '@switchyard/config';
import { openAdminTarget } from '../admin/admin-target.ts';

type Flags = { name?: string; org?: string; budget?: string; rpm?: string; tpm?: string };

/** `--rpm 600`; `--rpm none` clears the limit. */
function limitFlag(value: string | undefined, flag: string): number | null | undefined {
  if (value === undefined) return undefined;
  if (value === 'none') return null;
  if (!/^\d+$/.test(value)) throw new Error(`--${flag} must be a positive integer or "none", got "${value}"`);
  return Number(value);
}

function orgLimits(flags: Flags): Record<string, unknown> {
  const limits = {
    monthly_budget_usd: flags.budget === 'none' ? null : flags.budget,
    rpm_limit: limitFlag(flags.rpm, 'rpm'),
    tpm_limit: limitFlag(flags.tpm, 'tpm'),
  };
  return Object.fromEntries(Object.entries(limits).filter(([, value]) => value !== undefined));
}

function print(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

/** The flag or argument each command cannot do without, checked before any database is opened. */
const requirements: Record<string, (positional: string | undefined, flags: Flags) => string | undefined> = {
  migrate: () => undefined,
  'orgs create': (_id, flags) => (flags.name ? undefined : 'orgs create needs --name NAME'),
  'orgs list': () => undefined,
  'orgs update': (id) => (id ? undefined : 'orgs update needs an org id'),
  'keys create': (_id, flags) => (flags.org ? undefined : 'keys create needs --org ORG_ID'),
  'keys list': (_id, flags) => (flags.org ? undefined : 'keys list needs --org ORG_ID'),
  'keys revoke': (id) => (id ? undefined : 'keys revoke needs a key id'),
};

/** `migrate`, `orgs ...`, `keys ...`: one-shot commands against the configured database. */
export async function runAdmin(command: string, positionals: string[], flags: Flags): Promise<void> {
  const [action, id] = positionals;
  const subcommand = `${command} ${action ?? ''}`.trim();
  const requirement = requirements[subcommand];
  if (!requirement) throw new Error(`unknown command "${subcommand}" (known: ${Object.keys(requirements).join(', ')})`);
  const missing = requirement(id, flags);
  if (missing) throw new Error(missing);
  const target = await openAdminTarget(loadConfig(), command);
  const admin = target.operations;
  try {
    switch (subcommand) {
      case 'migrate':
        process.stdout.write(
          target.runningInstance ? `migrations applied (by the running switchyard all, pid ${target.runningInstance.pid})\n` : 'migrations applied\n',
        );
        return;
      case 'orgs create':
        print(await admin.createOrg({ name: flags.name, ...orgLimits(flags) }));
        return;
      case 'orgs list':
        print(await admin.listOrgs());
        return;
      case 'orgs update':
        print(await admin.updateOrg(id!, orgLimits(flags)));
        return;
      case 'keys create':
        print({ ...(await admin.createKey(flags.org!, flags.name === undefined ? {} : { name: flags.name })), note: 'the key is shown once; store it now' });
        return;
      case 'keys list':
        print(await admin.listKeys(flags.org!));
        return;
      case 'keys revoke':
        print(await admin.revokeKey(id!));
        return;
    }
  } finally {
    await admin.close();
  }
}
