// The operators' dashboard in the browser: polls overview.json every 2 s and rewrites each
// table in place. Every value is written with textContent, never parsed as HTML.
'use strict';

(() => {
  const pollMs = 2000;
  const overviewUrl = document.body.dataset.overview;
  const section = (name) => document.querySelector(`[data-testid="${name}"]`);

  /** An element with text (or children) and optional attributes; `testid` becomes data-testid. */
  function element(tag, content, attributes = {}) {
    const node = document.createElement(tag);
    for (const [name, value] of Object.entries(attributes)) {
      if (value === undefined) continue;
      if (name === 'testid') node.dataset.testid = value;
      else node.setAttribute(name, String(value));
    }
    for (const child of Array.isArray(content) ? content : [content]) {
      if (child === null || child === undefined) continue;
      node.append(child instanceof Node ? child : String(child));
    }
    return node;
  }

  const cell = (content, attributes) => element('td', content, attributes);
  const number = (value, testid) => cell(value === null || value === undefined ? '–' : value, { class: 'number', testid });

  const tone = {
    up: 'good',
    closed: 'good',
    completed: 'good',
    delivered: 'good',
    in_progress: 'good',
    degraded: 'warn',
    half_open: 'warn',
    no_workers: 'warn',
    retrying: 'warn',
    pending: 'warn',
    validating: 'warn',
    finalizing: 'warn',
    cancelling: 'warn',
    queued: 'warn',
    down: 'bad',
    open: 'bad',
    failed: 'bad',
    cancelled: 'bad',
    expired: 'bad',
  };
  const badge = (text, testid) => element('span', text, { class: `badge ${tone[text] ?? ''}`, testid });

  const timeFormat = { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit', second: '2-digit' };
  const time = (value) => (value ? new Date(value).toLocaleString([], timeFormat) : '–');
  const took = (milliseconds) => (milliseconds === null || milliseconds === undefined ? '–' : `${(milliseconds / 1000).toFixed(1)} s`);

  /** Replaces a table body's rows; an empty list shows one row saying so. */
  function fill(name, items, columns, row) {
    const body = section(name);
    const rows = items.map((item) => element('tr', row(item), { testid: `${name}-row` }));
    if (rows.length === 0) rows.push(element('tr', cell('none', { class: 'empty', colspan: columns })));
    body.replaceChildren(...rows);
  }

  function render(overview) {
    const providers = Object.entries(overview.providers).sort(([a], [b]) => a.localeCompare(b));
    fill('providers', providers, 7, ([name, provider]) => [
      cell(name, { testid: `provider-${name}` }),
      cell(badge(provider.status, `provider-${name}-status`)),
      cell(badge(provider.breaker)),
      number(provider.workers, `provider-${name}-workers`),
      number(provider.queued),
      number(provider.in_progress),
      cell(
        Object.entries(provider.models).map(([model, { breaker }]) => element('span', [`${model} `, badge(breaker)], { class: 'model' })),
        { class: 'wrap' },
      ),
    ]);

    fill('queues', overview.queues, 9, (queue) => [
      cell(queue.name, { testid: `queue-${queue.name}` }),
      number(queue.waiting, `queue-${queue.name}-waiting`),
      number(queue.active, `queue-${queue.name}-active`),
      number(queue.delayed),
      number(queue.failed),
      number(queue.workers),
      number(queue.completed_per_minute),
      number(queue.failed_per_minute),
      cell(queue.paused ? badge('paused') : 'no'),
    ]);

    fill('batches', overview.batches, 7, (batch) => [
      cell(element('code', batch.id), { testid: `batch-${batch.id}` }),
      cell(batch.org_name, { class: 'name' }),
      cell(badge(batch.status, `batch-${batch.id}-status`)),
      cell([
        element('progress', null, { max: Math.max(batch.total, 1), value: batch.done }),
        element('span', batch.total > 0 ? `${batch.done} / ${batch.total} done` : `validating (${batch.validated} read)`, { testid: `batch-${batch.id}-progress` }),
      ]),
      number(batch.completed),
      number(batch.failed),
      cell(time(batch.created_at)),
    ]);

    fill('recent-jobs', overview.recent_jobs, 7, (job) => [
      cell(element('code', job.id), { testid: `job-${job.id}` }),
      cell(job.org_name, { class: 'name' }),
      cell(job.served_provider ? `${job.model} (${job.served_provider})` : job.model),
      cell(job.mode),
      cell(badge(job.status)),
      number(took(job.duration_ms)),
      cell(time(job.created_at)),
    ]);

    fill('recent-failures', overview.recent_failures, 5, (job) => [
      cell(element('code', job.id), { testid: `failure-${job.id}` }),
      cell(job.org_name, { class: 'name' }),
      cell(job.model),
      cell(job.error ? [element('code', job.error.code), ` ${job.error.message}`] : '–', { class: 'wrap' }),
      cell(time(job.created_at)),
    ]);

    section('webhook-outbox-backlog').textContent = String(overview.webhook_deliveries.outbox_backlog);
    fill('webhook-deliveries', overview.webhook_deliveries.recent, 6, (delivery) => [
      cell(delivery.event_type, { testid: `delivery-${delivery.id}` }),
      cell(delivery.host),
      cell(badge(delivery.status)),
      number(delivery.attempts),
      cell(delivery.response_status ?? delivery.last_error ?? '–', { class: 'wrap' }),
      cell(time(delivery.last_attempt_at)),
    ]);

    section('spend-month').textContent = `${overview.spend_this_month.month}, month to date`;
    fill('spend', overview.spend_this_month.orgs, 5, (org) => [
      cell(org.org_name, { class: 'name', testid: `spend-${org.org_id}` }),
      number(org.cost_usd),
      number(org.input_tokens),
      number(org.output_tokens),
      number(org.attempts),
    ]);
  }

  const status = section('poll-status');
  async function poll() {
    try {
      const response = await fetch(overviewUrl, { cache: 'no-store', credentials: 'same-origin' });
      if (!response.ok) throw new Error(`overview answered ${response.status}`);
      render(await response.json());
      status.textContent = `live, updated ${new Date().toLocaleTimeString()}`;
      status.classList.remove('error');
    } catch (error) {
      status.textContent = `not updating: ${error instanceof Error ? error.message : String(error)}`;
      status.classList.add('error');
    } finally {
      setTimeout(poll, pollMs);
    }
  }
  void poll();
})();
