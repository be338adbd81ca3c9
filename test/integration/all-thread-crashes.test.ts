// A worker thread of `switchyard all` that crashes: an uncaught error thrown in the thread
// (the test-only SWITCHYARD_TEST_CRASH_WORKER_THREAD=<thread>:<starts>:<afterMs>, read only by
// the thread's entry). Once, it is restarted and every request is still answered (its held jobs
// come back through BullMQ's stalled-job check); over and over, `all` stops, non-zero, saying why.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, expectedMockAnswer, startMockOpenAIUpstream, type MockUpstream } from '@switchyard/testing';
import { prepareProcessStack, spawnSwitchyard, waitForHttp, type ProcessStack, type ServiceProcess } from '../support/processes.ts';

let upstream: MockUpstream;
let stack: ProcessStack;

beforeAll(async () => {
  upstream = await startMockOpenAIUpstream({ record: false });
  stack = await prepareProcessStack({
    env: { OPENAI_API_KEY: 'sk-upstream', OPENAI_BASE_URL: upstream.url, LOG_LEVEL: 'info' },
    // Short locks so a dead thread's jobs come back in about a second, not the default 30 s.
    configYaml: 'worker:\n  lockDurationMs: 1000\n  stalledIntervalMs: 500\n',
  });
}, 60_000);

afterAll(async () => {
  await stack?.stop();
  await upstream?.close();
});

async function chat(url: string, content: string) {
  const response = await fetch(`${url}/v1/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${stack.apiKey}`, 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'gpt-4o', messages: [{ role: 'user', content }] }),
  });
  const body = (await response.json()) as { choices?: Array<{ message: { content: string } }> };
  return { status: response.status, content: body.choices?.[0]?.message.content };
}

async function liveWorkers(): Promise<number> {
  const response = await fetch(`${stack.url}/v1/health`, { headers: { authorization: `Bearer ${stack.apiKey}` } });
  const body = (await response.json()) as { providers: Record<string, { workers: number }> };
  return body.providers.openai?.workers ?? 0;
}

const logLines = (service: ServiceProcess) =>
  service
    .output()
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as { level: number; msg: string; thread?: string; [field: string]: unknown });

/** `all` on two worker threads, worker-1 crashing as `crash` says (<starts>:<afterMs>). */
function startAll(crash: string): ServiceProcess {
  return spawnSwitchyard(['all', '--worker-threads', '2'], { ...stack.env, SWITCHYARD_TEST_CRASH_WORKER_THREAD: `worker-1:${crash}` });
}

describe('crashed worker threads of switchyard all', () => {
  it('restarts a crashed thread after a backoff, keeps answering, and loses no request it held', async () => {
    // worker-1 throws 4 s after it is ready, on its first start only.
    const all = startAll('1:4000');
    try {
      await waitForHttp(`${stack.url}/health`, all, 90_000);
      await eventually('both threads consuming', async () => (await liveWorkers()) === 2);
      upstream.behave('gpt-4o', { latencyMs: 1500 });
      // Waves of requests until the crash, and one after it: some are held by worker-1 when it dies.
      const contents: string[] = [];
      const pending: Array<ReturnType<typeof chat>> = [];
      const crashed = () => /"msg":"worker thread worker-1 crashed/.test(all.output());
      const wave = (label: string) => {
        for (let index = 0; index < 8; index += 1) {
          const content = `crash ${label} request ${index}`;
          contents.push(content);
          pending.push(chat(stack.url, content));
        }
      };
      for (let count = 0; !crashed(); count += 1) {
        if (count === 40) throw new Error(`no crash seen:\n${all.output()}`);
        wave(`wave ${count}`);
        await new Promise((resolve) => setTimeout(resolve, 500));
      }
      wave('after the crash');
      const answers = await Promise.all(pending);
      // The thread died mid-call (its sockets to the upstream were cut), and still every caller got its answer.
      expect(upstream.abortedRequests).toBeGreaterThan(0);
      expect(answers.map((answer) => answer.status)).toEqual(contents.map(() => 200));
      for (const [index, answer] of answers.entries()) expect(answer.content).toBe(expectedMockAnswer([contents[index]!], contents[index]!).text);
      upstream.behave('gpt-4o', {});

      const crash = logLines(all).find((line) => line.msg.startsWith('worker thread worker-1 crashed'))!;
      expect(crash).toMatchObject({ level: 50, thread: 'worker-1', restartInMs: 500, crashesInWindow: 1 });
      expect(crash.msg).toContain('uncaught Error: test crash of worker-1 (SWITCHYARD_TEST_CRASH_WORKER_THREAD)');
      // Restarted: its workers are back and it serves again.
      await eventually(
        'worker-1 started again',
        () => logLines(all).filter((line) => line.thread === 'worker-1' && line.msg === 'workers started').length === 2,
      );
      await eventually('both threads consuming again', async () => (await liveWorkers()) === 2);
      expect(await chat(stack.url, 'after the restart')).toMatchObject({ status: 200 });
      expect(await all.stop('SIGTERM')).toBe(0);
    } finally {
      await all.stop('SIGKILL');
    }
  }, 120_000);

  it('stops all, non-zero and saying why, when a thread crashes more than 5 times in 60 s', async () => {
    // worker-1 throws as soon as it is ready, on every start.
    const all = startAll('99:0');
    try {
      // 'close', not 'exit': the process may be gone before its last lines have been read from the pipe.
      const exitCode = await new Promise<number | null>((resolve) => all.child.once('close', (code) => resolve(code)));
      expect(exitCode).toBe(1);
      const lines = logLines(all);
      const restarts = lines.filter((line) => line.msg.startsWith('worker thread worker-1 crashed') && line.level === 50);
      expect(restarts.map((line) => line.restartInMs)).toEqual([500, 1000, 2000, 4000, 8000]);
      const fatal = lines.find((line) => line.level === 60)!;
      expect(fatal.msg).toBe(
        'worker thread worker-1 crashed 6 times in 60 s (last: uncaught Error: test crash of worker-1 (SWITCHYARD_TEST_CRASH_WORKER_THREAD)); stopping switchyard all',
      );
      // The whole of `all` drained, the other thread too, before exiting.
      expect(lines.some((line) => line.thread === 'worker-2' && line.msg === 'workers drained: every job held was finished')).toBe(true);
      // On a failure, the process's last output (stderr included) says what ended it.
      expect(lines.at(-1), all.output().slice(-4000)).toMatchObject({ msg: 'stopped', exitCode: 1 });
    } finally {
      await all.stop('SIGKILL');
    }
  }, 120_000);
});
