import { loadConfig } from '@switchyard/config';
import { createApiKey, createOrg, listOrgs } from '@switchyard/db';
import type { Logger } from '@switchyard/logger';
import { startApi } from '@switchyard/api';
import { startWorkers } from '@switchyard/worker';
import { startLedger } from '@switchyard/ledger';
import { createRedis } from '@switchyard/queue';
import { openDatabase } from '../database.ts';
import { resolveRedis } from '../embedded-redis.ts';
import { stopOnSignals } from '../shutdown.ts';

/** `switchyard all`: the whole system in one process on embedded defaults. */
export async function runAll(logger: Logger, options: { port?: number }): Promise<void> {
  const base = loadConfig();
  const redis = await resolveRedis({ explicitUrl: process.env.REDIS_URL, dataDir: '.data' });
  const config = loadConfig({ overrides: { redis: { url: redis.url } } });
  logger.info({ redis: redis.source, database: base.database.url ? 'DATABASE_URL' : `embedded PGlite in ${base.database.dataDir}` }, 'starting switchyard all');

  const database = await openDatabase(config, { command: 'all', allowEmbedded: true });
  if ((await listOrgs(database.db)).length === 0) {
    const org = await createOrg(database.db, { name: 'default' });
    const key = await createApiKey(database.db, { orgId: org.id, name: 'first key' });
    // Shown once, on the terminal only (never through the logger).
    process.stderr.write(
      `\nFirst start: created organization "default" (${org.id}) and its API key (shown once):\n\n    ${key.key}\n\n` +
        `Try: curl http://127.0.0.1:${options.port ?? config.server.port}/v1/chat/completions -H "Authorization: Bearer ${key.key}" ` +
        `-H "Content-Type: application/json" -d '{"model":"mock-fast","messages":[{"role":"user","content":"Hello"}]}'\n\n`,
    );
  }
  const ledgerRedis = createRedis(config.redis.url, { role: 'blocking', name: 'ledger' });
  const ledger = await startLedger({ redis: ledgerRedis, db: database.db, logger, prefix: config.redis.prefix });
  const workers = await startWorkers({ config, logger, providers: 'all' });
  const api = await startApi({ config, db: database.db, logger, port: options.port });
  // Ingress first, then the workers finish what they hold, then the ledger drains.
  stopOnSignals(logger, [
    () => api.stop(),
    () => workers.stop(),
    () => ledger.stop(),
    async () => void (await ledgerRedis.quit()),
    () => database.close(),
    () => redis.stop(),
  ]);
}
