// pnpm bench:chaos — the exactly-one-answer promise under failure (docs/architecture.md): a mock upstream failing 20%
// of calls and stalling some, two worker processes, a fixed number of requests. Every
// accepted request must end in exactly one answer (the right content or a documented
// error), and the ledger must hold exactly one finished job per request.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { Pool } from 'undici';
import pg from 'pg';
import { createApiKey, createDb, createOrg, migrateToLatest } from '@switchyard/db';
import { createTestDatabase, deletePrefix, freePort, startMockOpenAIUpstream, uniquePrefix, expectedMockAnswer } from '@switchyard/testing';
import { startBenchRedis } from '../bench-redis.ts';
import { spawnNode, stopAllChildren, type ChildService } from '../child-process.ts';
import { distribution } from '../statistics.ts';
import { chaosBehaviors, chaosConfigYaml, documentedErrorCodes } from './chaos-config.ts';

const cliEntry = fileURLToPath(new URL('../../../services/cli/src/main.ts', import.meta.url));
const log = (line: string) => process.stderr.write(`${line}\n`);

type Outcome = {
  index: number;
  status: number;
  jobId: string | null;
  provider: string | null;
  attempts: number;
  latencyMs: number;
  ok: boolean;
  code?: string;
  problem?: string;
};

async function main(argv: string[]): Promise<void> {
  const quick = argv.includes('--quick');
  const total = quick ? 300 : 3000;
  const concurrency = 32;
  const upstream = await startMockOpenAIUpstream({ record: false, seed: 42 });
  for (const [model, behavior] of Object.entries(chaosBehaviors)) upstream.behave(model, behavior);
  const redis = await startBenchRedis();
  const database = await createTestDatabase();
  const prefix = uniquePrefix('chaos');
  const services: ChildService[] = [];
  try {
    const handle = await createDb({ url: database.url });
    await migrateToLatest(handle.db);
    const org = await createOrg(handle.db, { name: 'chaos' });
    const apiKey = (await createApiKey(handle.db, { orgId: org.id, name: 'chaos' })).key;
    await handle.close();

    const configFile = join(mkdtempSync(join(tmpdir(), 'switchyard-chaos-')), 'switchyard.yaml');
    writeFileSync(configFile, chaosConfigYaml);
    const port = await freePort();
    const env = {
      REDIS_URL: redis.url,
      DATABASE_URL: database.url,
      SWITCHYARD_REDIS_PREFIX: prefix,
      SWITCHYARD_CONFIG: configFile,
      OPENAI_API_KEY: 'sk-upstream',
      OPENAI_BASE_URL: upstream.url,
      BACKUP_BASE_URL: upstream.url,
      LOG_LEVEL: 'error',
      PORT: String(port),
    };
    services.push(spawnNode('worker-1', cliEntry, ['worker', '--provider', 'openai,backup', '--concurrency', '64'], env));
    services.push(spawnNode('worker-2', cliEntry, ['worker', '--provider', 'openai,backup', '--concurrency', '64'], env));
    services.push(spawnNode('ledger', cliEntry, ['ledger'], env));
    const api = spawnNode('api', cliEntry, ['api'], env);
    services.push(api);
    const url = `http://127.0.0.1:${port}`;
    for (let tries = 0; tries < 300; tries++) {
      if (api.child.exitCode !== null) throw new Error(`api exited:\n${api.output()}`);
      if (
        await fetch(`${url}/health`).then(
          (response) => response.ok,
          () => false,
        )
      )
        break;
      await sleep(100);
    }
    await sleep(1000); // let both workers register

    log(
      `chaos: ${total} requests at concurrency ${concurrency}, primary fails ${chaosBehaviors['chaos-primary'].errorRate * 100}% and stalls ${chaosBehaviors['chaos-primary'].stallRate * 100}%`,
    );
    const pool = new Pool(url, { connections: concurrency, pipelining: 1 });
    const outcomes: Outcome[] = [];
    let next = 0;
    const started = Date.now();
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (next < total) {
          const index = next++;
          outcomes.push(await sendOne(pool, apiKey, index));
        }
      }),
    );
    const seconds = (Date.now() - started) / 1000;
    await pool.close();

    const jobIds = outcomes.map((outcome) => outcome.jobId).filter((id): id is string => id !== null);
    const ledger = await waitForLedger(database.url, jobIds);
    const report = summarize(outcomes, ledger, seconds, total);
    const output = fileURLToPath(new URL('../results/chaos.json', import.meta.url));
    mkdirSync(dirname(output), { recursive: true });
    writeFileSync(
      output,
      `${JSON.stringify({ generatedAt: new Date().toISOString(), command: quick ? 'pnpm bench:chaos --quick' : 'pnpm bench:chaos', ...report }, null, 2)}\n`,
    );
    process.stdout.write(`${renderMarkdown(report, quick)}\n\nJSON: ${output}\n`);
    if (!report.verdict.passed) process.exitCode = 1;
  } finally {
    // Our services first, then our keys, then Redis itself (when the run started its own).
    for (const service of services.reverse()) await service.stop();
    await deletePrefix(redis.url, prefix).catch(() => {});
    await stopAllChildren();
    await upstream.close();
    await database.drop().catch(() => {});
  }
}

async function sendOne(pool: Pool, apiKey: string, index: number): Promise<Outcome> {
  const content = `chaos request ${index}`;
  const started = performance.now();
  const response = await pool.request({
    method: 'POST',
    path: '/v1/chat/completions',
    headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'chaos-primary', messages: [{ role: 'user', content }] }),
  });
  const text = await response.body.text();
  const latencyMs = performance.now() - started;
  const header = (name: string) => {
    const value = response.headers[name];
    return typeof value === 'string' ? value : null;
  };
  const base = {
    index,
    status: response.statusCode,
    jobId: header('x-job-id'),
    provider: header('x-switchyard-provider'),
    attempts: Number(header('x-switchyard-attempts') ?? 0),
    latencyMs,
  };
  let body: { choices?: Array<{ message: { content: string } }>; error?: { code?: string; type?: string; message?: string } };
  try {
    body = JSON.parse(text);
  } catch {
    return { ...base, ok: false, problem: `unparsable body: ${text.slice(0, 100)}` };
  }
  if (response.statusCode === 200) {
    const expected = expectedMockAnswer([content], content).text;
    const got = body.choices?.[0]?.message.content;
    return got === expected ? { ...base, ok: true } : { ...base, ok: false, problem: `wrong answer: ${String(got).slice(0, 80)}` };
  }
  const code = body.error?.code;
  if (!code || !body.error?.type || !body.error.message) return { ...base, ok: false, problem: `undocumented error body: ${text.slice(0, 120)}` };
  return documentedErrorCodes.has(code) ? { ...base, ok: false, code } : { ...base, ok: false, code, problem: `undocumented error code ${code}` };
}

type LedgerCheck = { jobs: number; duplicates: number; missing: number; statuses: Record<string, number> };

/** Waits for the ledger to record every request, then counts what it holds per job. */
async function waitForLedger(url: string, jobIds: string[]): Promise<LedgerCheck> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    let rows: Array<{ id: string; status: string }> = [];
    for (let tries = 0; tries < 120; tries++) {
      rows = (await client.query(`select id, status from jobs where id = any($1) and status in ('completed','failed','cancelled','expired')`, [jobIds])).rows;
      if (rows.length >= jobIds.length) break;
      await sleep(250);
    }
    const completedUsage = (
      await client.query(
        `select request_id, count(*)::int as completed from usage_events where request_id = any($1) and status = 'completed' group by request_id having count(*) > 1`,
        [jobIds],
      )
    ).rows;
    const statuses: Record<string, number> = {};
    for (const row of rows) statuses[row.status] = (statuses[row.status] ?? 0) + 1;
    return { jobs: rows.length, duplicates: completedUsage.length, missing: jobIds.length - rows.length, statuses };
  } finally {
    await client.end();
  }
}

function summarize(outcomes: Outcome[], ledger: LedgerCheck, seconds: number, total: number) {
  const succeeded = outcomes.filter((outcome) => outcome.ok);
  const problems = outcomes.filter((outcome) => outcome.problem);
  const errors: Record<string, number> = {};
  for (const outcome of outcomes) if (outcome.code) errors[outcome.code] = (errors[outcome.code] ?? 0) + 1;
  const fallbacks = succeeded.filter((outcome) => outcome.provider === 'backup').length;
  const retried = outcomes.filter((outcome) => outcome.attempts > 1).length;
  // Accepted = queued (it has a job id); the rest were refused at admission with a
  // documented error (breakers open, queue full) and never became jobs.
  const accepted = outcomes.filter((outcome) => outcome.jobId !== null);
  const uniqueJobs = new Set(accepted.map((outcome) => outcome.jobId)).size;
  const latency = distribution(outcomes.map((outcome) => outcome.latencyMs));
  const verdict = {
    everyRequestAnswered: outcomes.length === total,
    onlyCorrectAnswersOrDocumentedErrors: problems.length === 0,
    oneJobPerAcceptedRequest: uniqueJobs === accepted.length,
    ledgerHasEveryJobOnce: ledger.missing === 0 && ledger.duplicates === 0,
    passed: false,
  };
  verdict.passed =
    verdict.everyRequestAnswered && verdict.onlyCorrectAnswersOrDocumentedErrors && verdict.oneJobPerAcceptedRequest && verdict.ledgerHasEveryJobOnce;
  return {
    requests: total,
    accepted: accepted.length,
    seconds,
    successRatio: succeeded.length / total,
    fallbacks,
    retried,
    errors,
    latencyMs: { p50: latency.p50, p99: latency.p99, max: latency.max },
    ledger,
    problems: problems.slice(0, 10).map((outcome) => ({ index: outcome.index, status: outcome.status, problem: outcome.problem })),
    verdict,
  };
}

function renderMarkdown(report: ReturnType<typeof summarize>, quick: boolean): string {
  const round = (value: number) => Math.round(value * 10) / 10;
  return [
    `Chaos run (\`pnpm bench:chaos${quick ? ' --quick' : ''}\`): ${report.requests} sync requests at concurrency 32 on a chain \`chaos-primary\` (20% errors, 2% stalls, 20-100 ms) -> \`chaos-backup\` (5% errors), two worker processes, ${round(report.seconds)} s.`,
    '',
    '| success ratio | accepted | served by fallback | retried | errors (code: count) | p50 ms | p99 ms | lost | answered twice | verdict |',
    '|---|---|---|---|---|---|---|---|---|---|',
    `| ${(report.successRatio * 100).toFixed(2)}% | ${report.accepted} | ${report.fallbacks} | ${report.retried} | ${
      Object.entries(report.errors)
        .map(([code, count]) => `${code}: ${count}`)
        .join(', ') || 'none'
    } | ${round(report.latencyMs.p50)} | ${round(report.latencyMs.p99)} | ${report.ledger.missing} | ${report.ledger.duplicates} | ${report.verdict.passed ? 'pass' : 'FAIL'} |`,
  ].join('\n');
}

main(process.argv.slice(2)).catch(async (error: unknown) => {
  log(`chaos: ${error instanceof Error ? error.stack : String(error)}`);
  await stopAllChildren();
  process.exit(1);
});
