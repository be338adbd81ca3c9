import { describe, expect, it } from 'vitest';
import { sendReplyAndRecords } from './reply-order.ts';

/** A step that logs when it starts and ends, ending only when released. */
function step(name: string, log: string[]) {
  let release!: () => void;
  const done = new Promise<void>((resolve) => (release = resolve));
  return {
    run: () => {
      log.push(`${name} started`);
      return done.then(() => void log.push(`${name} done`));
    },
    release: () => release(),
  };
}

describe('a finished job: reply and records', () => {
  it('through Redis, sends both at once', async () => {
    const log: string[] = [];
    const reply = step('reply', log);
    const records = step('records', log);
    const sent = sendReplyAndRecords({ local: false, reply: reply.run, records: records.run });
    expect(log).toEqual(['reply started', 'records started']);
    reply.release();
    records.release();
    await sent;
  });

  it('to an api of this thread, hands the reply over only after Redis acknowledged the records', async () => {
    const log: string[] = [];
    const reply = step('reply', log);
    const records = step('records', log);
    const sent = sendReplyAndRecords({ local: true, reply: reply.run, records: records.run });
    await new Promise((resolve) => setImmediate(resolve));
    expect(log).toEqual(['records started']);
    records.release();
    reply.release();
    await sent;
    expect(log).toEqual(['records started', 'records done', 'reply started', 'reply done']);
  });

  it('hands no reply over when the records could not be written', async () => {
    const log: string[] = [];
    const sent = sendReplyAndRecords({
      local: true,
      reply: () => {
        log.push('reply');
        return undefined;
      },
      records: () => Promise.reject(new Error('Redis is away')),
    });
    await expect(sent).rejects.toThrow('Redis is away');
    expect(log).toEqual([]);
  });
});
