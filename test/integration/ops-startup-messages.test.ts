import { connect } from 'node:net';
import { networkInterfaces } from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { prepareProcessStack, spawnSwitchyard, waitForHttp, type ProcessStack, type ServiceProcess } from '../support/processes.ts';
import { freePort } from '@switchyard/testing';

// What an operator reads when services start, or cannot: real processes, their real output.
let stack: ProcessStack;

beforeAll(async () => {
  stack = await prepareProcessStack({ env: { LOG_LEVEL: 'info' } });
}, 60_000);

afterAll(async () => {
  await stack?.stop();
});

async function waitForOutput(service: ServiceProcess, pattern: RegExp, what: string): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (!pattern.test(service.output())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}:\n${service.output()}`);
    if (service.child.exitCode !== null) throw new Error(`process exited before ${what}:\n${service.output()}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

const logLines = (service: ServiceProcess) =>
  service
    .output()
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as { level: number; msg: string; [field: string]: unknown });

/** Resolves true when something accepts TCP connections at host:port. */
function accepts(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

const externalAddress = Object.values(networkInterfaces())
  .flat()
  .find((address) => address && address.family === 'IPv4' && !address.internal)?.address;

describe('start-up and failure messages', () => {
  it('with Redis unreachable the api says so once, naming the URL and what to do, and retries quietly', async () => {
    const closedPort = await freePort();
    const redisUrl = `redis://127.0.0.1:${closedPort}`;
    const unreachable = spawnSwitchyard(['api'], { ...stack.env, REDIS_URL: redisUrl, PORT: String(await freePort()) });
    try {
      await waitForOutput(unreachable, /cannot reach Redis/, 'the Redis message');
      // Several reconnect attempts happen in this time; none of them may add a line.
      await new Promise((resolve) => setTimeout(resolve, 3000));
      const lines = logLines(unreachable);
      const aboutRedis = lines.filter((line) => JSON.stringify(line).includes(`127.0.0.1:${closedPort}`));
      expect(aboutRedis).toHaveLength(1);
      expect(aboutRedis[0]!.level).toBe(60);
      expect(aboutRedis[0]!.msg).toContain(`cannot reach Redis at ${redisUrl} (ECONNREFUSED)`);
      expect(aboutRedis[0]!.msg).toContain('REDIS_URL');
      expect(unreachable.output()).not.toMatch(/stack|\n\s+at /);
    } finally {
      await unreachable.stop('SIGKILL');
    }
  }, 90_000);

  it('all listens on 127.0.0.1 by default and says so', async () => {
    const all = stack.start(['all']);
    try {
      await waitForHttp(`${stack.url}/health`, all, 90_000);
      await waitForOutput(all, /"msg":"api listening/, 'the listening line');
      const listening = logLines(all).find((line) => line.msg.startsWith('api listening'))!;
      expect(listening).toMatchObject({ host: '127.0.0.1', url: stack.url });
      expect(listening.msg).toContain('this address only');
      // From another interface of this machine nothing answers.
      if (externalAddress) expect(await accepts(externalAddress, Number(stack.env.PORT))).toBe(false);
    } finally {
      await all.stop();
    }
  }, 120_000);

  it('the split api listens on all interfaces and says so', async () => {
    const api = stack.start(['api']);
    try {
      await waitForHttp(`${stack.url}/health`, api);
      await waitForOutput(api, /"msg":"api listening/, 'the listening line');
      const listening = logLines(api).find((line) => line.msg.startsWith('api listening'))!;
      expect(listening.host).toBe('0.0.0.0');
      expect(listening.msg).toContain('all interfaces');
      if (externalAddress) expect(await accepts(externalAddress, Number(stack.env.PORT))).toBe(true);
    } finally {
      await api.stop();
    }
  });

  it('the ledger says it started', async () => {
    const ledger = stack.start(['ledger']);
    try {
      await waitForOutput(ledger, /"msg":"ledger started/, 'the ledger start line');
      expect(logLines(ledger).filter((line) => line.msg.startsWith('ledger started'))[0]!.level).toBe(30);
    } finally {
      await ledger.stop();
    }
  });
});
