import type { SwitchyardConfig } from '@switchyard/config';
import { createTenancyAdmin } from '@switchyard/api';
import type { DbHandle } from '@switchyard/db';
import { bumpAuthRevision, createRedis, redisTargetForLogs } from '@switchyard/queue';
import type { AdminOperations } from './admin-operations.ts';

/**
 * Tells running api processes that keys or limits changed, so their caches drop the old
 * answers at once. Only a shared Postgres can have api processes running beside us.
 */
async function announceToRunningApis(config: SwitchyardConfig, reason: string): Promise<void> {
  const redis = createRedis(config.redis, {
    role: 'producer',
    name: 'admin-cli',
    extra: { lazyConnect: true, retryStrategy: () => null, maxRetriesPerRequest: 0, connectTimeout: 3000 },
  });
  redis.on('error', () => {});
  try {
    await redis.connect();
    await bumpAuthRevision(redis, config.redis.prefix);
  } catch {
    process.stderr.write(
      `switchyard: warning: ${reason}, but Redis at ${redisTargetForLogs(config.redis)} is unreachable: running api processes notice within 10 s\n`,
    );
  } finally {
    redis.disconnect();
  }
}

/** The admin operations on a database this process opened itself. */
export function createDirectAdmin(config: SwitchyardConfig, database: DbHandle, options: { close(): Promise<void> }): AdminOperations {
  const tenancy = createTenancyAdmin({
    db: database.db,
    invalidatePrincipals: async (reason) => {
      if (database.kind === 'postgres') await announceToRunningApis(config, reason);
    },
  });
  return {
    listOrgs: tenancy.listOrgs,
    createOrg: tenancy.createOrg,
    updateOrg: tenancy.updateOrg,
    listKeys: tenancy.listKeys,
    createKey: tenancy.createKey,
    revokeKey: tenancy.revokeKey,
    close: options.close,
  };
}
