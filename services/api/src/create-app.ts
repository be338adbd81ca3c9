import express, { type Express } from 'express';
import { findActiveApiKey } from '@switchyard/db';
import type { ApiContext } from './context.ts';
import { createDashboardRouter } from './dashboard/dashboard-router.ts';
import { createAdminAuthenticator, createAuthenticator, createOperatorKeyAuthenticator } from './middleware/authenticate.ts';
import { useAnthropicErrors } from './middleware/error-format.ts';
import { createStaticKeyLookup } from './middleware/static-api-keys.ts';
import { refuseDeepBodies } from './middleware/body-depth.ts';
import { createErrorHandler, notFoundHandler } from './middleware/error-handler.ts';
import { idempotent } from './middleware/idempotency.ts';
import { assignRequestId } from './middleware/request-id.ts';
import { traceRequests } from './middleware/trace-requests.ts';
import { createAdminRouter } from './routes/admin.ts';
import { createAlertsRouter } from './routes/alerts.ts';
import { createRulesRouter } from './routes/rules.ts';
import { createBatchesRouter } from './routes/batches.ts';
import { createMessageBatchesRouter } from './routes/message-batches.ts';
import { createFilesRouter } from './routes/files.ts';
import { createHealthRouter, createProviderHealthHandler } from './routes/health.ts';
import { createInferenceHandler } from './inference/run-inference.ts';
import { createJobListRouter } from './routes/job-list.ts';
import { createJobsRouter } from './routes/jobs.ts';
import { createModelsRouter } from './routes/models.ts';
import { createProviderRefreshRouter, createProvidersRouter } from './routes/providers.ts';
import { createUsageRouter } from './routes/usage.ts';
import { createWebhookDeliveriesRouter } from './routes/webhooks-deliveries.ts';
import { createWebhooksRouter } from './routes/webhooks.ts';

const inferenceEndpoints = ['/v1/chat/completions', '/v1/messages', '/v1/embeddings', '/v1/completions', '/v1/images/generations'] as const;

/** The api's wiring: every route and middleware, in the order a request meets them. */
export function createApp(context: ApiContext): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.set('trust proxy', true);

  // The config's static keys first (no Postgres round trip to refuse or find them), then the database's.
  const staticKeys = createStaticKeyLookup(context.config, context.db, context.logger);
  const authenticator = createAuthenticator(
    async (plaintext) => {
      const fromConfig = await staticKeys(plaintext);
      if (fromConfig) return fromConfig;
      const key = await findActiveApiKey(context.db, plaintext);
      return (
        key && { keyId: key.id, orgId: key.orgId, org: { monthlyBudgetUsd: key.org.monthlyBudgetUsd, rpmLimit: key.org.rpmLimit, tpmLimit: key.org.tpmLimit } }
      );
    },
    {
      revision: context.authRevision,
      ...(context.config.auth.apiKeyHeader ? { apiKeyHeader: context.config.auth.apiKeyHeader } : {}),
    },
  );
  const authenticate = authenticator.middleware;

  const metrics = context.metrics;
  app.use(assignRequestId);
  app.use(metrics.observe);
  app.use(['/v1', '/api/ai'], traceRequests);
  app.use(createHealthRouter(context));
  const metricsKey = context.config.server.metricsKey;
  if (metricsKey)
    app.get('/metrics', createOperatorKeyAuthenticator(metricsKey, { name: 'metrics', setting: 'SWITCHYARD_METRICS_KEY' }), metrics.handler(context));
  else app.get('/metrics', metrics.handler(context));
  app.use(['/v1/messages', '/api/ai/anthropic/messages'], useAnthropicErrors);
  // Bodies are read as JSON whatever they are labelled (curl's default is a form type);
  // multipart uploads are left for the routes that take them.
  app.use(
    express.json({ limit: context.config.server.bodyLimitBytes, type: (request) => !String(request.headers['content-type'] ?? '').startsWith('multipart/') }),
  );
  app.use(refuseDeepBodies);

  // The inference calls come first, ahead of the operators' routers below that they could
  // never match: the hot path walks the fewest layers. Creating POSTs take an
  // Idempotency-Key, scoped by the route name given (and the org). Each route matches its
  // path exactly, so `/v1/messages/batches` is never taken for a Messages call.
  for (const endpoint of inferenceEndpoints) app.post(endpoint, authenticate, idempotent(context, endpoint), createInferenceHandler(context, endpoint));

  app.use(createDashboardRouter(context));

  // Its own 404: an unknown admin route must not fall through to API-key authentication.
  app.use(
    '/v1/admin',
    createAdminAuthenticator(context.config.adminKey),
    createAdminRouter(context, { onKeyRevoked: authenticator.forgetAll }),
    notFoundHandler,
  );

  // Alert rules and alerts are the operator's: the admin key, and their own 404 too.
  app.use('/v1/rules', createAdminAuthenticator(context.config.adminKey), createRulesRouter(context), notFoundHandler);
  app.use('/v1/alerts', createAdminAuthenticator(context.config.adminKey), createAlertsRouter(context), notFoundHandler);
  app.use(createProviderRefreshRouter(context));

  const v1 = express.Router();
  v1.use(authenticate);
  v1.use('/messages/batches', createMessageBatchesRouter(context));
  v1.use(createModelsRouter(context.config));
  v1.use(createProvidersRouter(context));
  v1.use(createJobListRouter(context));
  v1.use(createJobsRouter(context));
  v1.use(createBatchesRouter(context));
  v1.use(createWebhooksRouter(context), createWebhookDeliveriesRouter(context));
  v1.use(createUsageRouter(context));
  v1.use(createFilesRouter(context));
  v1.get('/health', createProviderHealthHandler(context));
  app.use('/v1', v1);

  // The seed-compatible subset, same handlers.
  const seed = express.Router();
  seed.use(authenticate);
  // An alias shares its twin's Idempotency-Key scope: the same request under another path.
  seed.post('/chat/completions', idempotent(context, '/v1/chat/completions'), createInferenceHandler(context, '/v1/chat/completions'));
  seed.post('/anthropic/messages', idempotent(context, '/v1/messages'), createInferenceHandler(context, '/v1/messages'));
  seed.use(createModelsRouter(context.config));
  seed.use(createUsageRouter(context));
  seed.get('/health', createProviderHealthHandler(context));
  app.use('/api/ai', seed);

  app.use(notFoundHandler);
  app.use(createErrorHandler(context.logger));
  return app;
}
