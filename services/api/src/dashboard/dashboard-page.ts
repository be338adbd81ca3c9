/**
 * The operators' page: a static shell with a table per section. It holds no data: its
 * script (`dashboard.js`) polls `overview.json` and writes every value as text, so nothing
 * from the system is ever parsed as HTML. The `data-testid`s are what the browser test reads.
 */
export function dashboardPage(options: { basePath: string }): string {
  const { basePath } = options;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Switchyard dashboard</title>
<style>${styles}</style>
</head>
<body data-overview="${basePath}/overview.json">
<header>
  <h1>Switchyard</h1>
  <span class="poll" data-testid="poll-status">loading…</span>
  <a href="${basePath}/queues/" data-testid="queue-browser-link">Queue browser →</a>
</header>
<main>
  <section class="wide">
    <h2>Providers</h2>
    <table><thead><tr><th>Provider</th><th>Status</th><th>Breaker</th><th>Workers</th><th>Queued</th><th>In progress</th><th>Models (breaker)</th></tr></thead>
    <tbody data-testid="providers"></tbody></table>
  </section>
  <section class="wide">
    <h2>Queues</h2>
    <table><thead><tr><th>Queue</th><th>Waiting</th><th>Active</th><th>Delayed</th><th>Failed (kept)</th><th>Workers</th><th>Completed/min</th><th>Failed/min</th><th>Paused</th></tr></thead>
    <tbody data-testid="queues"></tbody></table>
  </section>
  <section class="wide">
    <h2>Batches in progress</h2>
    <table><thead><tr><th>Batch</th><th>Org</th><th>Status</th><th>Progress</th><th>Completed</th><th>Failed</th><th>Created</th></tr></thead>
    <tbody data-testid="batches"></tbody></table>
  </section>
  <section class="wide">
    <h2>Recent jobs</h2>
    <table><thead><tr><th>Job</th><th>Org</th><th>Model (served by)</th><th>Mode</th><th>Status</th><th>Took</th><th>Created</th></tr></thead>
    <tbody data-testid="recent-jobs"></tbody></table>
  </section>
  <section class="wide">
    <h2>Recent failures <small>(24 h)</small></h2>
    <table><thead><tr><th>Job</th><th>Org</th><th>Model</th><th>Error</th><th>Created</th></tr></thead>
    <tbody data-testid="recent-failures"></tbody></table>
  </section>
  <section>
    <h2>Webhook deliveries <small>outbox backlog: <span data-testid="webhook-outbox-backlog">–</span></small></h2>
    <table><thead><tr><th>Event</th><th>Host</th><th>Status</th><th>Attempts</th><th>Last answer</th><th>Last attempt</th></tr></thead>
    <tbody data-testid="webhook-deliveries"></tbody></table>
  </section>
  <section>
    <h2>Spend by org <small data-testid="spend-month"></small></h2>
    <table><thead><tr><th>Org</th><th>Cost (USD)</th><th>Input tokens</th><th>Output tokens</th><th>Attempts</th></tr></thead>
    <tbody data-testid="spend"></tbody></table>
  </section>
</main>
<script src="${basePath}/dashboard.js"></script>
</body>
</html>
`;
}

const styles = `
:root { color-scheme: light dark; --muted: #6b7280; --line: #e5e7eb; --ok: #15803d; --warn: #b45309; --bad: #b91c1c; }
@media (prefers-color-scheme: dark) { :root { --line: #374151; --muted: #9ca3af; } }
body { font: 14px/1.4 system-ui, sans-serif; margin: 0; }
header { display: flex; gap: 1rem; align-items: baseline; padding: .75rem 1.25rem; border-bottom: 1px solid var(--line); }
header h1 { font-size: 1.2rem; margin: 0; }
header a { margin-left: auto; }
.poll { color: var(--muted); }
.poll.error { color: var(--bad); font-weight: 600; }
main { display: grid; grid-template-columns: repeat(auto-fit, minmax(32rem, 1fr)); gap: 1rem 1.5rem; padding: 1rem 1.25rem; }
section { min-width: 0; overflow-x: auto; }
section.wide { grid-column: 1 / -1; }
h2 { font-size: 1rem; margin: 0 0 .4rem; }
h2 small { color: var(--muted); font-weight: normal; margin-left: .5rem; }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; padding: .25rem .5rem; border-bottom: 1px solid var(--line); white-space: nowrap; }
th { color: var(--muted); font-weight: 500; }
td.number { text-align: right; font-variant-numeric: tabular-nums; }
td.wrap { white-space: normal; }
td.name { white-space: normal; max-width: 16rem; overflow-wrap: anywhere; }
td.empty { color: var(--muted); font-style: italic; }
.badge { display: inline-block; padding: 0 .4rem; border-radius: .6rem; border: 1px solid currentColor; font-size: .8rem; margin-right: .25rem; }
.good { color: var(--ok); } .warn { color: var(--warn); } .bad { color: var(--bad); }
progress { width: 10rem; vertical-align: middle; margin-right: .5rem; }
code { font-size: .85rem; }
`;
