// The operators' dashboard in a real headless Chromium, driven by playwright-core: the page
// asks for the admin key (HTTP Basic), then shows providers, a queue with work waiting and a
// running batch whose progress moves as the page polls, without a reload. bull-board renders
// under /dashboard/queues. Screenshots go to test-results/.
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { toFile } from 'openai';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { eventually } from '@switchyard/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callApi } from '../support/call-api.ts';
import { adminKey } from '../support/gateway.ts';
import { useDashboardGateway } from '../support/dashboard-gateway.ts';

const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const hasChromium = existsSync(chromiumPath);
if (!hasChromium) console.warn(`dashboard-browser: skipped, no Chromium at ${chromiumPath} (apt-get install -y chromium, or set CHROMIUM_PATH)`);

const resultsDirectory = new URL('../../test-results/', import.meta.url).pathname;
const batchLines = 8;
// A name that would run script if the page ever parsed data as HTML.
const hostileOrgName = '<img src=x onerror="globalThis.injected=true"> Acme & Co';

describe.skipIf(!hasChromium)('the dashboard in a browser', () => {
  // One mock call at a time, so a batch of slow lines stays visibly in progress with the
  // rest of its lines waiting on the queue.
  const dashboard = useDashboardGateway({ providers: { mock: { concurrency: 1 } }, batches: { tickMs: 50 } });
  const gateway = dashboard.gateway;

  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let batchId: string;
  let hostileOrgId: string;

  beforeAll(async () => {
    // Something in every section: a delivered webhook, a failure, spend of two orgs.
    await callApi(gateway, 'POST', '/v1/webhooks', { url: `${dashboard.receiver.url}/hook`, events: ['job.completed'] });
    expect((await callApi(gateway, 'POST', '/v1/chat/completions', chat('mock-fast'))).status).toBe(200);
    const hostile = await gateway.createTenant(hostileOrgName);
    hostileOrgId = hostile.orgId;
    expect((await callApi({ url: gateway.url, apiKey: hostile.apiKey }, 'POST', '/v1/chat/completions', chat('mock-fast'))).status).toBe(200);
    expect((await callApi(gateway, 'POST', '/v1/jobs', { endpoint: '/v1/chat/completions', body: chat('broken-model') })).status).toBe(202);

    const lines = Array.from({ length: batchLines }, (_, index) =>
      JSON.stringify({ custom_id: `slow-${index}`, method: 'POST', url: '/v1/chat/completions', body: chat('mock-slow') }),
    );
    const file = await gateway.openai.files.create({ file: await toFile(Buffer.from(lines.join('\n')), 'slow.jsonl'), purpose: 'batch' });
    batchId = (await gateway.openai.batches.create({ input_file_id: file.id, endpoint: '/v1/chat/completions', completion_window: '24h' })).id;

    // A browser of its own: a fresh profile, nothing shared with another run.
    browser = await chromium.launch({
      executablePath: chromiumPath,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
    context = await browser.newContext({ httpCredentials: { username: 'operator', password: adminKey }, viewport: { width: 1440, height: 1100 } });
    page = await context.newPage();
    mkdirSync(resultsDirectory, { recursive: true });
  });

  afterAll(async () => {
    await context?.close();
    await browser?.close();
    // Leave nothing running into the gateway's shutdown.
    if (batchId) await gateway.openai.batches.cancel(batchId).catch(() => undefined);
  });

  const text = async (testid: string): Promise<string> => (await page.getByTestId(testid).first().textContent({ timeout: 30_000 })) ?? '';
  const doneOf = (progress: string): number => Number(/^(\d+) \/ \d+ done$/.exec(progress)?.[1] ?? Number.NaN);

  it('shows providers, a queue with work waiting and the running batch, updated in place as it polls', async () => {
    await page.goto(`${gateway.url}/dashboard`);
    expect(await page.title()).toBe('Switchyard dashboard');
    await page.evaluate(() => {
      (globalThis as unknown as { loadedOnce: boolean }).loadedOnce = true;
    });

    expect(await text('provider-mock')).toBe('mock');
    expect(['up', 'degraded']).toContain(await text('provider-mock-status'));
    expect(Number(await text('provider-mock-workers'))).toBeGreaterThan(0);
    expect(await text('provider-broken')).toBe('broken');

    const waiting = await eventually('batch lines waiting on the mock queue', async () => {
      const count = Number(await text('queue-inference-mock-waiting'));
      return count > 0 && count;
    });
    expect(waiting).toBeLessThan(batchLines);
    expect(await text('queue-webhooks')).toBe('webhooks');

    expect(await text(`batch-${batchId}`)).toBe(batchId);
    expect(await text(`batch-${batchId}-status`)).toBe('in_progress');
    const first = await eventually('the batch counted in full', async () => {
      const progress = await text(`batch-${batchId}-progress`);
      return progress.endsWith(`/ ${batchLines} done`) && progress;
    });
    // The next polls move the same page's numbers on as lines finish.
    await eventually('the batch progress to move on', async () => doneOf(await text(`batch-${batchId}-progress`)) > doneOf(first));
    expect(await page.evaluate(() => (globalThis as unknown as { loadedOnce?: boolean }).loadedOnce)).toBe(true);
    expect(await text('poll-status')).toMatch(/^live, updated /);

    // Data is text, never markup: the org's name shows as typed and its markup never ran.
    await eventually(
      'both orgs in the spend table',
      async () =>
        (await page
          .getByTestId('spend')
          .getByTestId(/^spend-org_/)
          .count()) === 2,
    );
    expect(await text(`spend-${hostileOrgId}`)).toBe(hostileOrgName);
    expect(await page.locator('[data-testid="spend"] img, [data-testid="recent-jobs"] img').count()).toBe(0);
    expect(await page.evaluate(() => (globalThis as unknown as { injected?: boolean }).injected)).toBeUndefined();

    await eventually('a failure and a delivered webhook listed', async () => {
      const failures = await page
        .getByTestId('recent-failures')
        .getByTestId(/^failure-/)
        .count();
      const deliveries = await page
        .getByTestId('webhook-deliveries')
        .getByTestId(/^delivery-/)
        .count();
      return failures > 0 && deliveries > 0;
    });
    await page.screenshot({ path: join(resultsDirectory, 'dashboard.png'), fullPage: true });
  });

  it('opens bull-board under /dashboard/queues, its app rendering every queue', async () => {
    await page.goto(`${gateway.url}/dashboard/queues/`, { waitUntil: 'domcontentloaded' });
    expect(await page.title()).toBe('Switchyard queues');
    // The menu lists the queues first; the overview cards follow once their counts load.
    await page.getByText('Loading...').waitFor({ state: 'hidden', timeout: 30_000 });
    for (const queue of ['inference-mock', 'inference-broken', 'webhooks']) {
      await page.locator('main').getByText(queue, { exact: true }).waitFor({ timeout: 30_000 });
    }
    await page.screenshot({ path: join(resultsDirectory, 'dashboard-queues.png') });
  });
});

function chat(model: string) {
  return { model, max_tokens: 16, messages: [{ role: 'user', content: 'hello from the dashboard test' }] };
}
