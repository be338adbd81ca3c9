import { describe, expect, it } from 'vitest';
import {
  bullmqPrefix,
  inferenceQueueName,
  ledgerDeadLetterKey,
  ledgerFailuresKey,
  ledgerStreamKey,
  webhookDeliveryLockKey,
  webhookDestinationSlotsKey,
  webhookParkedJobsKey,
  webhookQueueName,
} from './names.ts';

// Redis Cluster's rule (cluster spec, "Hash tags"): the hashed part is what lies between the
// first `{` and the next `}` when that is not empty, else the whole key; the slot is CRC16
// (XMODEM) of it modulo 16384.
function hashedPart(key: string): string {
  const open = key.indexOf('{');
  if (open === -1) return key;
  const close = key.indexOf('}', open + 1);
  return close === -1 || close === open + 1 ? key : key.slice(open + 1, close);
}

function crc16(text: string): number {
  let crc = 0;
  for (const byte of Buffer.from(text)) {
    crc ^= byte << 8;
    for (let bit = 0; bit < 8; bit++) crc = crc & 0x8000 ? ((crc << 1) ^ 0x1021) & 0xffff : (crc << 1) & 0xffff;
  }
  return crc;
}

const slotOf = (key: string): number => crc16(hashedPart(key)) % 16384;

/** Keys BullMQ derives from its prefix and a queue name (a sample of them). */
const bullmqKeys = (prefix: string, queueName: string) =>
  ['wait', 'active', 'paused', 'prioritized', 'delayed', 'completed', 'failed', 'meta', 'events', 'marker', 'id', 'req_123-r0', 'req_123-r0:lock'].map(
    (suffix) => `${bullmqPrefix(prefix, queueName)}:${queueName}:${suffix}`,
  );

describe('hash slots of Redis names', () => {
  it('computes slots as Redis does', () => {
    // Values CLUSTER KEYSLOT answers.
    expect(slotOf('foo')).toBe(12182);
    expect(slotOf('somekey')).toBe(11058);
    expect(slotOf('{user1000}.following')).toBe(slotOf('user1000'));
    expect(slotOf('foo{}{bar}')).toBe(crc16('foo{}{bar}') % 16384);
  });

  it('puts every key of one BullMQ queue on one slot, under the gateway prefix', () => {
    for (const queueName of [inferenceQueueName('openai'), inferenceQueueName('anthropic'), webhookQueueName]) {
      const keys = bullmqKeys('sy', queueName);
      expect(new Set(keys.map(slotOf)).size).toBe(1);
      for (const key of keys) expect(key.startsWith('sy:')).toBe(true);
    }
    expect(bullmqPrefix('sy', 'inference-openai')).toBe('sy:{inference-openai}');
  });

  it('spreads different queues over different slots', () => {
    const queues = ['openai', 'anthropic', 'azure-openai', 'ollama', 'mock', 'xai', 'groq', 'perplexity'].map(inferenceQueueName).concat(webhookQueueName);
    const slots = queues.map((queueName) => slotOf(bullmqKeys('sy', queueName)[0]!));
    expect(new Set(slots).size).toBe(queues.length);
  });

  it("keeps the ledger's dead letters and failure counts on the ledger stream's slot, the stream keeping its name", () => {
    for (const prefix of ['sy', 'prod_eu-1', 'systest0a1b2c3d4e']) {
      expect(ledgerStreamKey(prefix)).toBe(`${prefix}:ledger`);
      expect(slotOf(ledgerDeadLetterKey(prefix))).toBe(slotOf(ledgerStreamKey(prefix)));
      expect(slotOf(ledgerFailuresKey(prefix))).toBe(slotOf(ledgerStreamKey(prefix)));
      expect(ledgerFailuresKey(prefix).startsWith(`${prefix}:`)).toBe(true);
    }
  });

  it("puts a destination's permit keys on one slot, whatever the destination holds", () => {
    for (const destination of ['hooks.example.com:443', '127.0.0.1:8080', '[::1]:9000', 'odd}name:80', 'odd{name:80']) {
      const slots = [
        webhookDestinationSlotsKey('sy', destination),
        webhookParkedJobsKey('sy', destination),
        webhookDeliveryLockKey('sy', destination, 'whd_1'),
        webhookDeliveryLockKey('sy', destination, 'whd_2'),
      ].map(slotOf);
      expect(new Set(slots).size).toBe(1);
    }
    expect(slotOf(webhookDestinationSlotsKey('sy', 'a.example:443'))).not.toBe(slotOf(webhookDestinationSlotsKey('sy', 'b.example:443')));
  });
});
