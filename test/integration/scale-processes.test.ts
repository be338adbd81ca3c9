// The whole system at scale as separate OS processes, the way it is deployed: two `switchyard
// api` (two ports), three `switchyard worker` (one for provider alpha, two for beta), one
// `switchyard ledger` and one `switchyard webhooks`, on one Redis and one Postgres, with two
// OpenAI-format mock upstreams. A load-balancer-like client spreads requests over both apis.
// It proves: 2,000 concurrent requests each get their own correct answer and exactly one
// ledger job; a SIGTERMed api and worker drain under traffic and exit 0 with nothing lost; a
// SIGKILLed worker's jobs are taken over by the other worker of its provider. Resource use
// is measured and printed (for the scaling guide), never asserted.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDb, type DbHandle, type Kysely } from '@switchyard/db';
import { eventually, expectedMockAnswer, startMockOpenAIUpstream, type MockUpstream, freePort } from '@switchyard/testing';
import { createBalancer, type BalancedAnswer, type Balancer } from '../support/balancer.ts';
import { prepareProcessStack, spawnSwitchyard, waitForHttp, type ProcessStack, type ServiceProcess } from '../support/processes.ts';
import { startResourceSampler } from '../support/resource-sampler.ts';

const adminKey = 'scale-admin-key-0123456789abcdef';
const providers = ['alpha', 'beta'] as const;
type Provider = (typeof providers)[number];

let upstreams: Record<Provider, MockUpstream>;
let stack: ProcessStack;
let database: DbHandle;
let balancer: Balancer;
/** The two api processes, in the balancer's order. */
const apis: ServiceProcess[] = [];
const urls: string[] = [];
const alphaWorkers: ServiceProcess[] = [];
const betaWorkers: ServiceProcess[] = [];
const others: ServiceProcess[] = [];
/** Every request id a caller got an answer for, over all the tests, with the provider it asked: the ledger must hold exactly these. */
const answered = new Map<string, Provider>();

function configYaml(): string {
  return [
    // Short locks, so a SIGKILLed worker's jobs come back in seconds, not the default 5 s + 2 s.
    'worker:',
    '  lockDurationMs: 2000',
    '  stalledIntervalMs: 1000',
    'providers:',
    ...providers.flatMap((name) => [`  ${name}:`, '    kind: openai-compatible', `    apiKey: sk-${name}`, `    baseUrl: ${upstreams[name].url}`]),
    'models:',
    ...providers.flatMap((name) => [`  ${name}-chat:`, `    provider: ${name}`, '    upstreamModel: gpt-4o-mini']),
    '',
  ].join('\n');
}

function startWorker(provider: Provider): ServiceProcess {
  const worker = stack.start(['worker', '--provider', provider, '--concurrency', '64']);
  (provider === 'alpha' ? alphaWorkers : betaWorkers).push(worker);
  return worker;
}

beforeAll(async () => {
  upstreams = { alpha: await startMockOpenAIUpstream(), beta: await startMockOpenAIUpstream() };
  for (const upstream of Object.values(upstreams)) upstream.behave('*', { latencyMs: 20 });
  stack = await prepareProcessStack({ env: { SWITCHYARD_ADMIN_KEY: adminKey }, configYaml: configYaml() });
  const secondPort = await freePort();
  // The second api logs at info: its drain reports what it served and cut.
  apis.push(stack.start(['api']), spawnSwitchyard(['api'], { ...stack.env, PORT: String(secondPort), LOG_LEVEL: 'info' }));
  urls.push(stack.url, `http://127.0.0.1:${secondPort}`);
  startWorker('alpha');
  startWorker('beta');
  startWorker('beta');
  others.push(stack.start(['ledger']), stack.start(['webhooks']));
  await Promise.all(apis.map((api, index) => waitForHttp(`${urls[index]}/health`, api, 60_000)));
  database = await createDb({ url: stack.env.DATABASE_URL! });
  balancer = createBalancer(urls, stack.apiKey);
}, 120_000);

afterAll(async () => {
  balancer?.close();
  await apis[1]?.stop('SIGKILL');
  await database?.close();
  await stack?.stop();
  for (const upstream of Object.values(upstreams ?? {})) await upstream.close();
});

type Call = { content: string; provider: Provider; stream: boolean };

function call(phase: string, index: number, provider: Provider, stream: boolean): Call {
  return { content: `${phase} request ${index} for ${provider}${stream ? ' streamed' : ''} token ${index * 7919}`, provider, stream };
}

/** The mix of the load: both providers, one request in five streamed. */
function mixedCall(phase: string, index: number): Call {
  return call(phase, index, index % 2 === 0 ? 'alpha' : 'beta', index % 5 === 4);
}

function send(request: Call, options: { api?: number } = {}): Promise<BalancedAnswer> {
  const body = {
    model: `${request.provider}-chat`,
    messages: [{ role: 'user', content: request.content }],
    ...(request.stream ? { stream: true, stream_options: { include_usage: true } } : {}),
  };
  return balancer.post('/v1/chat/completions', body, options);
}

/** The text of an OpenAI event stream's deltas, and whether it ended with [DONE]. */
function streamedText(body: string): { text: string; done: boolean } {
  let text = '';
  let done = false;
  for (const line of body.split('\n')) {
    if (!line.startsWith('data: ')) continue;
    const data = line.slice(6);
    if (data === '[DONE]') done = true;
    else text += (JSON.parse(data) as { choices: Array<{ delta?: { content?: string } }> }).choices[0]?.delta?.content ?? '';
  }
  return { text, done };
}

/** What the caller got, next to what the mock upstream says for that request. */
function checkAnswer(request: Call, answer: BalancedAnswer): void {
  const expected = expectedMockAnswer([request.content], request.content);
  expect(answer.status, answer.body).toBe(200);
  if (request.stream) expect(streamedText(answer.body)).toEqual({ text: expected.text, done: true });
  else {
    // A stream's headers go out before a worker takes the job, so only a sync answer names its provider.
    expect(answer.headers['x-switchyard-provider']).toBe(request.provider);
    const body = JSON.parse(answer.body) as { choices: Array<{ message: { content: string } }>; usage: { completion_tokens: number } };
    expect(body.choices[0]!.message.content).toBe(expected.text);
    expect(body.usage.completion_tokens).toBe(expected.outputTokens);
  }
  const requestId = answer.headers['x-request-id'];
  expect(typeof requestId).toBe('string');
  expect(answered.has(requestId as string)).toBe(false);
  answered.set(requestId as string, request.provider);
}

/**
 * The ledger holds exactly one job, completed by the provider asked, and one usage event for
 * every answered request, and nothing else: a request lost, run twice or sent on after an
 * api had read it would show here.
 */
async function expectLedgerMatchesAnswers(): Promise<void> {
  const db = database.db;
  await eventually(
    `the ledger to hold ${answered.size} jobs`,
    async () => {
      const row = await db
        .selectFrom('jobs')
        .select((expression) => expression.fn.countAll<string>().as('count'))
        .executeTakeFirstOrThrow();
      return Number(row.count) >= answered.size;
    },
    { timeoutMs: 60_000, intervalMs: 250 },
  );
  const jobs = await db.selectFrom('jobs').select(['id', 'status', 'served_provider']).execute();
  expect(jobs).toHaveLength(answered.size);
  expect(new Map(jobs.map((job) => [job.id, job.served_provider]))).toEqual(answered);
  expect(jobs.filter((job) => job.status !== 'completed')).toEqual([]);
  const events = await db.selectFrom('usage_events').select(['request_id']).execute();
  expect(events).toHaveLength(answered.size);
  expect(new Set(events.map((event) => event.request_id))).toEqual(new Set(answered.keys()));
}

/** How often the upstream was called with each user message. */
function upstreamCallsByContent(upstream: MockUpstream): Map<string, number> {
  const calls = new Map<string, number>();
  for (const request of upstream.requests) {
    const content = (request.body as { messages?: Array<{ content?: unknown }> }).messages?.[0]?.content;
    if (typeof content === 'string') calls.set(content, (calls.get(content) ?? 0) + 1);
  }
  return calls;
}

async function liveWorkers(url: string): Promise<Record<string, { health: number; admin: number }>> {
  const health = (await (await fetch(`${url}/v1/health`, { headers: { authorization: `Bearer ${stack.apiKey}` } })).json()) as {
    providers: Record<string, { workers: number }>;
  };
  const admin = (await (await fetch(`${url}/v1/admin/providers`, { headers: { authorization: `Bearer ${adminKey}` } })).json()) as {
    data: Array<{ name: string; workers: number }>;
  };
  return Object.fromEntries(
    providers.map((name) => [name, { health: health.providers[name]?.workers ?? -1, admin: admin.data.find((entry) => entry.name === name)?.workers ?? -1 }]),
  );
}

async function waitForLiveWorkers(url: string, alpha: number, beta: number): Promise<void> {
  const wanted = { alpha: { health: alpha, admin: alpha }, beta: { health: beta, admin: beta } };
  await eventually(`${url} to see alpha ${alpha} and beta ${beta} workers`, async () => JSON.stringify(await liveWorkers(url)) === JSON.stringify(wanted), {
    timeoutMs: 60_000,
    intervalMs: 200,
  });
}

/** The process's exit, with its code (null when a signal ended it) and when it came. */
function exitOf(service: ServiceProcess, signal: NodeJS.Signals): Promise<{ code: number | null; at: number }> {
  return service.stop(signal).then((code) => ({ code, at: Date.now() }));
}

/** The drain outcome an api logged at info (server-drain.ts). */
function drainReportOf(api: ServiceProcess): { heldAtStart: number; arrivedDuringDrain: number; cut: number; durationMs: number } {
  const line = api
    .output()
    .split('\n')
    .find((text) => text.includes('"heldAtStart"'));
  if (!line) throw new Error(`the api logged no drain outcome:\n${api.output()}`);
  return JSON.parse(line);
}

function measurementLine(label: string, report: unknown): void {
  process.stdout.write(`\n[measurement] ${label}: ${JSON.stringify(report)}\n`);
}

const processPids = () => ({
  api0: apis[0]!.child.pid!,
  api1: apis[1]!.child.pid!,
  workerAlpha: alphaWorkers[0]!.child.pid!,
  workerBeta0: betaWorkers[0]!.child.pid!,
  workerBeta1: betaWorkers[1]!.child.pid!,
  ledger: others[0]!.child.pid!,
  webhooks: others[1]!.child.pid!,
  testClientAndUpstreams: process.pid,
});

describe('switchyard at scale, as separate processes', () => {
  it('shows every live worker per provider on either api: alpha 1, beta 2', async () => {
    for (const url of urls) await waitForLiveWorkers(url, 1, 2);
  });

  it('gives each of 2,000 concurrent requests over both apis its correct answer, and the ledger exactly one job each', async () => {
    const sampler = await startResourceSampler({
      pids: processPids(),
      redisUrl: stack.redisUrl,
      prefix: stack.env.SWITCHYARD_REDIS_PREFIX!,
      db: database.db as Kysely<any>,
      databaseName: new URL(stack.env.DATABASE_URL!).pathname.slice(1),
    });
    const requests = Array.from({ length: 2000 }, (_, index) => mixedCall('load', index));
    const answers = await Promise.all(requests.map((request) => send(request)));
    const report = await sampler.stop();
    measurementLine('2,000 concurrent requests over 2 apis, 3 workers', report);

    for (const [index, answer] of answers.entries()) checkAnswer(requests[index]!, answer);
    expect(answers.filter((answer) => answer.api === 0)).toHaveLength(1000);
    expect(answers.flatMap((answer) => answer.failures)).toEqual([]);
    await expectLedgerMatchesAnswers();
  }, 180_000);

  it('loses nothing when an api and a beta worker are SIGTERMed under traffic: both drain and exit 0', async () => {
    upstreams.alpha.behave('*', { latencyMs: 100 });
    upstreams.beta.behave('*', { latencyMs: 600 });
    const abortedBefore = upstreams.beta.abortedRequests;
    const callsBefore = upstreams.beta.requests.length + upstreams.alpha.requests.length;
    const [terminating, leaving] = [apis[1]!, betaWorkers[0]!];
    const sent: Array<{ request: Call; answer: Promise<BalancedAnswer> }> = [];
    let exited = false;
    let index = 0;
    let answeredBySecond = 0;
    // Callers that each send one request after the other over kept-alive connections, until
    // both processes are gone and each has sent two more (so some go to the closed api).
    const caller = async () => {
      let afterExit = 0;
      while (afterExit < 2) {
        if (exited) afterExit += 1;
        const request = mixedCall('drain', index++);
        const answer = send(request);
        sent.push({ request, answer });
        if ((await answer).api === 1) answeredBySecond += 1;
      }
    };
    const callers = Array.from({ length: 200 }, () => caller());
    // Traffic has settled on kept-alive connections, both beta workers hold jobs (64 each at
    // most) and the api has requests in flight.
    await eventually(
      'steady traffic, beta calls upstream on both workers and requests in flight on the api',
      () => answeredBySecond >= 300 && upstreams.beta.inFlight > 64 && balancer.inFlight(1) >= 10,
      { timeoutMs: 60_000 },
    );
    const heldAtSignal = balancer.inFlight(1);
    const signalledAt = Date.now();
    const [apiExit, workerExit] = await Promise.all([exitOf(terminating, 'SIGTERM'), exitOf(leaving, 'SIGTERM')]);
    exited = true;
    await Promise.all(callers);
    const answers = await Promise.all(sent.map((entry) => entry.answer));

    expect([apiExit.code, workerExit.code], `${terminating.output()}\n${leaving.output()}`).toEqual([0, 0]);
    for (const [position, answer] of answers.entries()) checkAnswer(sent[position]!.request, answer);
    const failures = answers.flatMap((answer) => answer.failures);
    // Only the terminated api failed, only at the connection (never an HTTP error), and once it was gone only by refusal.
    expect(new Set(failures.map((failure) => failure.api))).toEqual(new Set([1]));
    expect(failures.filter((failure) => !['ECONNREFUSED', 'ECONNRESET', 'EPIPE'].includes(failure.code))).toEqual([]);
    expect(failures.filter((failure) => failure.at > apiExit.at && failure.code !== 'ECONNREFUSED')).toEqual([]);
    expect(failures.filter((failure) => failure.at > apiExit.at).length).toBeGreaterThan(0);
    // The api's own account of its drain: nothing cut.
    const drained = drainReportOf(terminating);
    expect(drained).toMatchObject({ cut: 0 });
    // The leaving worker finished what it held: no upstream call was cut, none ran twice.
    expect(upstreams.beta.abortedRequests).toBe(abortedBefore);
    expect(upstreams.beta.requests.length + upstreams.alpha.requests.length - callsBefore).toBe(answers.length);
    measurementLine('drain under traffic', {
      requests: answers.length,
      inFlightOnTheApiAtSigterm: heldAtSignal,
      heldByTheApiAtDrain: drained.heldAtStart,
      arrivedOnKeptAliveConnectionsDuringDrain: drained.arrivedDuringDrain,
      apiDrainSeconds: drained.durationMs / 1000,
      apiExitSeconds: (apiExit.at - signalledAt) / 1000,
      workerDrainSeconds: (workerExit.at - signalledAt) / 1000,
      refusedThenSentOn: failures.filter((failure) => failure.code === 'ECONNREFUSED').length,
      resetThenSentOn: failures.filter((failure) => failure.code !== 'ECONNREFUSED').length,
    });
    await expectLedgerMatchesAnswers();
    await waitForLiveWorkers(urls[0]!, 1, 1);
  }, 180_000);

  it('serves the jobs of a SIGKILLed beta worker on the other beta worker', async () => {
    upstreams.alpha.behave('*', { latencyMs: 20 });
    upstreams.beta.behave('*', { latencyMs: 1500 });
    startWorker('beta');
    await waitForLiveWorkers(urls[0]!, 1, 2);
    const doomed = betaWorkers[1]!;
    const abortedBefore = upstreams.beta.abortedRequests;
    const requests = Array.from({ length: 120 }, (_, index) => call('kill', index, 'beta', index % 4 === 3));
    const pending = requests.map((request) => send(request, { api: 0 }));
    // Over 100 calls upstream with 64 per worker at most: the doomed worker holds at least 36.
    await eventually('both beta workers to hold calls upstream', () => upstreams.beta.inFlight >= 100, { timeoutMs: 60_000 });
    const killedAt = Date.now();
    expect(await doomed.stop('SIGKILL')).toBeNull();
    upstreams.beta.behave('*', { latencyMs: 20 });
    const answers = await Promise.all(pending);
    const recoveredSeconds = (Date.now() - killedAt) / 1000;

    for (const [index, answer] of answers.entries()) checkAnswer(requests[index]!, answer);
    // The kill cut the doomed worker's calls; each cut one was called again by the survivor.
    const cut = upstreams.beta.abortedRequests - abortedBefore;
    expect(cut).toBeGreaterThanOrEqual(36);
    const calls = upstreamCallsByContent(upstreams.beta);
    const calledTwice = requests.filter((request) => calls.get(request.content) === 2).length;
    expect(calledTwice).toBe(cut);
    measurementLine('SIGKILLed beta worker', { requests: requests.length, cutByTheKill: cut, allAnsweredSecondsAfterKill: recoveredSeconds });
    await expectLedgerMatchesAnswers();
    await waitForLiveWorkers(urls[0]!, 1, 1);
  }, 180_000);
});
