import { loadConfig } from '@switchyard/config';
import { createApiKey, createOrg, getOrg, listOrgs, revokeApiKey, updateOrg } from '@switchyard/db';
import { openDatabase } from '../database.ts';

type Flags = { name?: string; org?: string; budget?: string; rpm?: string; tpm?: string };

const optionalInteger = (value: string | undefined, flag: string): number | undefined => {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value)) throw new Error(`--${flag} must be a non-negative integer`);
  return Number(value);
};

function print(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

/** `migrate`, `orgs ...`, `keys ...`: one-shot commands against the configured database. */
export async function runAdmin(command: string, positionals: string[], flags: Flags): Promise<void> {
  const config = loadConfig();
  const database = await openDatabase(config, { command, allowEmbedded: true });
  const db = database.db;
  try {
    const [action, id] = positionals;
    const limits = { monthlyBudgetUsd: flags.budget, rpmLimit: optionalInteger(flags.rpm, 'rpm'), tpmLimit: optionalInteger(flags.tpm, 'tpm') };
    switch (`${command} ${action ?? ''}`.trim()) {
      case 'migrate':
        process.stdout.write('migrations applied\n');
        return;
      case 'orgs create':
        if (!flags.name) throw new Error('orgs create needs --name');
        print(await createOrg(db, { name: flags.name, ...limits }));
        return;
      case 'orgs list':
        print(await listOrgs(db));
        return;
      case 'orgs update': {
        if (!id) throw new Error('orgs update needs an org id');
        const org = await updateOrg(db, id, limits);
        if (!org) throw new Error(`no organization ${id}`);
        print(org);
        return;
      }
      case 'keys create': {
        if (!flags.org) throw new Error('keys create needs --org ORG_ID');
        if (!(await getOrg(db, flags.org))) throw new Error(`no organization ${flags.org}`);
        const key = await createApiKey(db, { orgId: flags.org, name: flags.name ?? 'default' });
        print({ ...key, note: 'the key is shown once; store it now' });
        return;
      }
      case 'keys revoke':
        if (!id) throw new Error('keys revoke needs a key id');
        if (!(await revokeApiKey(db, id))) throw new Error(`no active key ${id}`);
        print({ id, revoked: true });
        return;
      default:
        throw new Error(`unknown command "${command} ${action ?? ''}"`);
    }
  } finally {
    await database.close();
  }
}
