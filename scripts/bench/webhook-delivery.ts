// Webhook delivery figures: deliveries per second from the outbox to one local receiver, and
// the time an event waits from its creation (the transaction that made the job terminal)
// to its arrival at the receiver, p50 and p99, under a steady trickle of events at half the
// measured rate.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Redis } from 'ioredis';
import { loadConfig } from '@switchyard/config';
import { createDb, createOrg, migrateToLatest, recordWebhookEvents, type DbHandle, type WebhookEventInput } from '@switchyard/db';
import { createSilentLogger } from '@switchyard/logger';
import { webhookNudgeChannel } from '@switchyard/queue';
import { createTestDatabase, deletePrefix, uniquePrefix } from '@switchyard/testing';
import { startWebhooks } from '@switchyard/webhooks';
import { distribution, type Distribution } from './statistics.ts';

export type WebhookDeliveryResult = {
  /** The backlog phase: this many deliveries waiting in the outbox, then the service started. */
  backlog: number;
  deliveriesPerSecond: number;
  /** The trickle phase: events produced in small transactions with the ledger's nudge, at this many per second. */
  trickle: number;
  trickleRate: number;
  /** Milliseconds from the event's created_at to its arrival at the receiver. */
  addedMs: Distribution;
  perDestinationConcurrency: number;
};

const jobObject = (id: string) => ({
  id,
  object: 'job',
  status: 'completed',
  model: 'gpt-4o-mini',
  output: {
    id: `chatcmpl-${id}`,
    object: 'chat.completion',
    choices: [{ index: 0, message: { role: 'assistant', content: 'x'.repeat(600) }, finish_reason: 'stop' }],
  },
  usage: { prompt_tokens: 120, completion_tokens: 300, total_tokens: 420 },
});

/** A receiver that answers 200 at once and notes when each webhook-id arrived. */
async function startReceiver() {
  const arrivals = new Map<string, number>();
  const server = createServer((request, response) => {
    request.resume();
    request.on('end', () => {
      arrivals.set(String(request.headers['webhook-id']), Date.now());
      response.writeHead(200).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}/hooks`,
    hostPort: `127.0.0.1:${port}`,
    arrivals,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

async function produce(handle: DbHandle, redis: Redis, prefix: string, orgId: string, url: string, count: number, label: string): Promise<void> {
  const events: WebhookEventInput[] = Array.from({ length: count }, (_, index) => {
    const id = `req_${label}_${index}`;
    return { orgId, type: 'job.completed', subjectId: id, data: jobObject(id), webhookUrl: url };
  });
  await handle.db.transaction().execute((transaction) => recordWebhookEvents(transaction, events));
  await redis.publish(webhookNudgeChannel(prefix), '1');
}

/** Both phases against a fresh database and Redis prefix; the service runs in this process with its default settings. */
export async function measureWebhookDelivery(options: { redisUrl: string; backlog: number; trickle: number }): Promise<WebhookDeliveryResult> {
  const database = await createTestDatabase();
  const prefix = uniquePrefix('webhooks');
  const redis = new Redis(options.redisUrl);
  const handle = await createDb({ url: database.url });
  const receiver = await startReceiver();
  const config = loadConfig({
    env: {},
    overrides: {
      redis: { url: options.redisUrl, prefix },
      database: { url: database.url },
      webhooks: { allow: [receiver.hostPort], perDestinationConcurrency: Number(process.env.BENCH_PDC ?? 4) },
    },
  });
  const waitFor = async (count: number) => {
    while (receiver.arrivals.size < count) await new Promise((resolve) => setTimeout(resolve, 5));
  };
  try {
    await migrateToLatest(handle.db);
    const orgId = (await createOrg(handle.db, { name: 'bench' })).id;
    for (let start = 0; start < options.backlog; start += 500) {
      await produce(handle, redis, prefix, orgId, receiver.url, Math.min(500, options.backlog - start), `backlog${start}`);
    }
    const started = performance.now();
    const webhooks = await startWebhooks({ config, db: handle.db, logger: createSilentLogger() });
    await waitFor(options.backlog);
    const seconds = (performance.now() - started) / 1000;

    // A trickle like finished jobs, at half the rate just measured (at most 500/s) so it
    // measures the added time, not a queue: 5 events per transaction.
    const trickleRate = Math.min(500, (options.backlog / seconds) * 0.5);
    const intervalMs = (5 / trickleRate) * 1000;
    for (let sent = 0; sent < options.trickle; sent += 5) {
      await produce(handle, redis, prefix, orgId, receiver.url, 5, `trickle${sent}`);
      await new Promise((resolve) => setTimeout(resolve, intervalMs));
    }
    await waitFor(options.backlog + options.trickle);
    await webhooks.stop();
    const events = await handle.db.selectFrom('webhook_events').select(['id', 'created_at']).where('subject_id', 'like', 'req_trickle%').execute();
    const added = events.map((event) => receiver.arrivals.get(event.id)! - new Date(event.created_at).getTime());
    return {
      backlog: options.backlog,
      deliveriesPerSecond: options.backlog / seconds,
      trickle: events.length,
      trickleRate,
      addedMs: distribution(added),
      perDestinationConcurrency: config.webhooks.perDestinationConcurrency,
    };
  } finally {
    await receiver.close();
    await handle.close();
    await deletePrefix(options.redisUrl, prefix).catch(() => {});
    redis.disconnect();
    await database.drop();
  }
}

/** The figures as one line of the bench output. */
export function renderWebhookDelivery(result: WebhookDeliveryResult): string {
  return (
    `Webhooks: ${result.deliveriesPerSecond.toFixed(0)} deliveries/s to one local receiver (${result.backlog} queued in the outbox, ` +
    `${result.perDestinationConcurrency} in flight per destination); event created -> delivered p50 ${result.addedMs.p50.toFixed(1)} ms, ` +
    `p99 ${result.addedMs.p99.toFixed(1)} ms (${result.trickle} events at ${result.trickleRate.toFixed(0)}/s, half that rate, 5 per transaction).`
  );
}
