// GET/PUT/DELETE /v1/admin/chaos: the fault-injection switch. What PUT stores in Redis
// overrides the config's `chaos` for every worker, which re-reads it at most a second later;
// DELETE goes back to the config's.
import { Router, type Request, type Response } from 'express';
import { chaosSchema, type ChaosSettings } from '@switchyard/config';
import { clearChaosOverride, readChaosOverride, writeChaosOverride } from '@switchyard/queue';
import type { ApiContext } from '../context.ts';
import { parseAdminBody } from './admin-bodies.ts';

export function createChaosAdminRouter(context: ApiContext): Router {
  const router = Router();
  const prefix = context.config.redis.prefix;
  const render = (settings: ChaosSettings, source: 'admin' | 'config') => ({ object: 'chaos', source, ...settings });

  const current = async () => {
    const stored = chaosSchema.safeParse(await readChaosOverride(context.redis, prefix));
    return stored.success && stored.data ? render(stored.data, 'admin') : render(context.config.chaos, 'config');
  };

  router.get('/chaos', async (_request: Request, response: Response) => {
    response.json(await current());
  });
  router.put('/chaos', async (request: Request, response: Response) => {
    const settings = parseAdminBody(chaosSchema, request.body);
    await writeChaosOverride(context.redis, prefix, settings);
    context.logger.warn({ enabled: settings.enabled, rules: settings.rules.length }, 'fault injection switched through the admin API');
    response.json(render(settings, 'admin'));
  });
  router.delete('/chaos', async (_request: Request, response: Response) => {
    await clearChaosOverride(context.redis, prefix);
    response.json(render(context.config.chaos, 'config'));
  });
  return router;
}
