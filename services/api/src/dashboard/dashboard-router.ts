import { readFileSync } from 'node:fs';
import { Router, type Request, type Response } from 'express';
import { enabledProviders } from '@switchyard/config';
import { openWebhookQueue } from '@switchyard/queue';
import type { ApiContext } from '../context.ts';
import { createAdminBrowserAuthenticator } from '../middleware/authenticate.ts';
import { dashboardPage } from './dashboard-page.ts';
import { dashboardOverview } from './overview.ts';
import { createQueueBoard } from './queue-board.ts';

const basePath = '/dashboard';
const pageScript = readFileSync(new URL('./dashboard-client.js', import.meta.url), 'utf8');

// The page runs only its own script and talks only to its own origin.
const pagePolicy = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'unsafe-inline'",
  "connect-src 'self'",
  "img-src 'self' data:",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

/**
 * The operators' web page (`/dashboard`), the JSON it polls, and bull-board under
 * `/dashboard/queues`, all behind the admin key (HTTP Basic for a browser, or Bearer).
 */
export function createDashboardRouter(context: ApiContext): Router {
  // Shares the api's command connection, which the api closes on stop; it holds nothing else.
  const webhookQueue = openWebhookQueue({ connection: context.redis, prefix: context.config.redis.prefix });
  const inferenceQueues = enabledProviders(context.config).map((provider) => context.queues.get(provider.name));

  const router = Router();
  router.use(basePath, createAdminBrowserAuthenticator(context.config.adminKey));
  router.get(basePath, (_request: Request, response: Response) => {
    response.set({ 'content-security-policy': pagePolicy, 'cache-control': 'no-store', 'referrer-policy': 'no-referrer', 'x-content-type-options': 'nosniff' });
    response.type('html').send(dashboardPage({ basePath }));
  });
  router.get(`${basePath}/dashboard.js`, (_request: Request, response: Response) => {
    response.set({ 'cache-control': 'no-cache', 'x-content-type-options': 'nosniff' });
    response.type('text/javascript').send(pageScript);
  });
  router.get(`${basePath}/overview.json`, async (_request: Request, response: Response) => {
    response.set('cache-control', 'no-store');
    response.json(await dashboardOverview(context, webhookQueue));
  });
  router.use(`${basePath}/queues`, createQueueBoard({ basePath: `${basePath}/queues`, queues: [...inferenceQueues, webhookQueue] }));
  return router;
}
