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

/** `migrate`, `orgs ...`, `keys ...`: one-shot commands against the configured database. */
export async function runAdmin(command: string, positionals: string[], flags: Flags): Promise<void> {
  const [action, id] = positionals;
  const subcommand = `${command} ${action ?? ''}`.trim();
  const known = ['migrate', 'orgs create', 'orgs list', 'orgs update', 'keys create', 'keys list', 'keys revoke'];
  if (!known.includes(subcommand)) throw new Error(`unknown command "${subcommand}" (known: ${known.join(', ')})`);
  const target = await openAdminTarget(loadConfig(), command);
  const admin = target.operations;
  try {
    switch (subcommand) {
      case 'migrate':
        process.stdout.write(target.runningInstance ? `migrations applied (by the running switchyard all, pid ${target.runningInstance.pid})\n` : 'migrations applied\n');
        return;
      case 'orgs create':
        if (!flags.name) throw new Error('orgs create needs --name');
        print(await admin.createOrg({ name: flags.name, ...orgLimits(flags) }));
        return;
      case 'orgs list':
        print(await admin.listOrgs());
        return;
      case 'orgs update':
        if (!id) throw new Error('orgs update needs an org id');
        print(await admin.updateOrg(id, orgLimits(flags)));
        return;
      case 'keys create': {
        if (!flags.org) throw new Error('keys create needs --org ORG_ID');
        const key = await admin.createKey(flags.org, flags.name === undefined ? {} : { name: flags.name });
        print({ ...key, note: 'the key is shown once; store it now' });
        return;
      }
      case 'keys list':
        if (!flags.org) throw new Error('keys list needs --org ORG_ID');
        print(await admin.listKeys(flags.org));
        return;
      case 'keys revoke':
        if (!id) throw new Error('keys revoke needs a key id');
        print(await admin.revokeKey(id));
        return;
    }
  } finally {
    await admin.close();
  }
}
