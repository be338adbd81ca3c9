// pnpm bench:webhooks: only the webhook delivery figures (also part of pnpm bench).
import { startBenchRedis } from './bench-redis.ts';
import { stopAllChildren } from './child-process.ts';
import { measureWebhookDelivery, renderWebhookDelivery } from './webhook-delivery.ts';

const quick = process.argv.includes('--quick');
try {
  const redis = await startBenchRedis();
  const result = await measureWebhookDelivery({ redisUrl: redis.url, backlog: quick ? 1000 : 5000, trickle: quick ? 200 : 1000 });
  process.stdout.write(`${renderWebhookDelivery(result)}\n${JSON.stringify(result, null, 2)}\n`);
} finally {
  await stopAllChildren();
}
