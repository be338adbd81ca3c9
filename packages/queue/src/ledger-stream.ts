// The durable `ledger` queue: a Redis Stream read through one consumer group, so the
// ledger can take entries in batches, and entries a crashed ledger had read but not
// written stay pending until another consumer claims them.
import type { RedisConnection } from './connection.ts';
import { ledgerEntrySchema, type LedgerEntry } from '@switchyard/core';
import { ledgerDeadLetterKey, ledgerFailuresKey, ledgerStreamKey, monthToDateSpendKey } from './names.ts';
import { redisScript } from './redis-script.ts';

const group = 'ledger';
const field = 'entry';

/**
 * One ledger entry as read. `raw` is the payload as it was appended, kept for the
 * dead-letter stream. Entries appended together by `appendLedgerGroup` share one stream
 * `id`: they are acknowledged, retried and dead-lettered together.
 */
export type LedgerMessage = { id: string; entry: LedgerEntry; raw: string };
export type RejectedLedgerMessage = { id: string; raw: string | undefined; reason: string };
export type LedgerBatch = { messages: LedgerMessage[]; rejected: RejectedLedgerMessage[] };

export type ReadLedgerOptions = {
  count: number;
  /** How long to wait for new entries when none are pending. */
  blockMs: number;
  /** Entries pending on another consumer for this long are taken over (its owner is presumed dead). */
  claimIdleMs?: number;
};

type StreamEntry = [id: string, fields: string[] | null];

export async function appendLedgerEntries(redis: RedisConnection, prefix: string, entries: LedgerEntry[]): Promise<string[]> {
  if (entries.length === 0) return [];
  // Plain commands issued together still share one socket write, and skip ioredis
  // pipelines, which copy every Lua script loaded on the connection (BullMQ's) each time.
  const ids = await Promise.all(entries.map((entry) => redis.xadd(ledgerStreamKey(prefix), '*', field, JSON.stringify(entry))));
  return ids.map((id) => id!);
}

/**
 * Appends the entries as one stream entry (one `entry` field each): one command for
 * everything a finished job leaves (its attempts' usage and its record), and one stream
 * entry for the ledger to read and acknowledge. They share their fate there: written in
 * one transaction, and dead-lettered together if one of them cannot be.
 */
export async function appendLedgerGroup(redis: RedisConnection, prefix: string, entries: LedgerEntry[]): Promise<string | undefined> {
  if (entries.length === 0) return undefined;
  const fields = entries.flatMap((entry) => [field, JSON.stringify(entry)]);
  return (await redis.xadd(ledgerStreamKey(prefix), '*', ...fields))!;
}

/**
 * The next batch for `consumer`: first its own unacknowledged entries (a batch it failed
 * to write) topped up with new ones, else entries idle on dead consumers, else new ones
 * (waiting up to `blockMs`).
 * The caller acknowledges with `ackLedgerEntries` once they are committed.
 */
export async function readLedgerBatch(redis: RedisConnection, prefix: string, consumer: string, options: ReadLedgerOptions): Promise<LedgerBatch> {
  try {
    return await readOnce(redis, prefix, consumer, options);
  } catch (error) {
    if (!(error instanceof Error) || !error.message.startsWith('NOGROUP')) throw error;
    await ensureGroup(redis, prefix);
    return readOnce(redis, prefix, consumer, options);
  }
}

async function readOnce(redis: RedisConnection, prefix: string, consumer: string, options: ReadLedgerOptions): Promise<LedgerBatch> {
  const key = ledgerStreamKey(prefix);
  const own = (await redis.xreadgroup('GROUP', group, consumer, 'COUNT', options.count, 'STREAMS', key, '0')) as Array<[string, StreamEntry[]]> | null;
  const ownEntries = own?.[0]?.[1] ?? [];
  if (ownEntries.length > 0) {
    // Entries being retried (one the database keeps refusing, say) do not hold back the
    // entries behind them: what room the batch has left is filled with new ones, unblocked.
    const room = options.count - ownEntries.length;
    if (room <= 0) return toBatch(ownEntries);
    const behind = (await redis.xreadgroup('GROUP', group, consumer, 'COUNT', room, 'STREAMS', key, '>')) as Array<[string, StreamEntry[]]> | null;
    return toBatch([...ownEntries, ...(behind?.[0]?.[1] ?? [])]);
  }

  const claimed = (await redis.xautoclaim(key, group, consumer, options.claimIdleMs ?? 30_000, '0-0', 'COUNT', options.count)) as [
    string,
    StreamEntry[],
    string[]?,
  ];
  if (claimed[1].length > 0) return toBatch(claimed[1]);

  const fresh = (await redis.xreadgroup('GROUP', group, consumer, 'COUNT', options.count, 'BLOCK', options.blockMs, 'STREAMS', key, '>')) as Array<
    [string, StreamEntry[]]
  > | null;
  return toBatch(fresh?.[0]?.[1] ?? []);
}

async function ensureGroup(redis: RedisConnection, prefix: string): Promise<void> {
  try {
    // From id 0: entries appended before the group existed are still read.
    await redis.xgroup('CREATE', ledgerStreamKey(prefix), group, '0', 'MKSTREAM');
  } catch (error) {
    if (!(error instanceof Error) || !error.message.startsWith('BUSYGROUP')) throw error;
  }
}

function toBatch(entries: StreamEntry[]): LedgerBatch {
  const batch: LedgerBatch = { messages: [], rejected: [] };
  for (const [id, fields] of entries) {
    // A pending entry deleted from the stream comes back without fields.
    const raws = fields ? fields.filter((_, index) => index % 2 === 1 && fields[index - 1] === field) : [];
    if (raws.length === 0) {
      batch.rejected.push({ id, raw: undefined, reason: 'entry has no payload' });
      continue;
    }
    const read = raws.map((raw) => readEntry(id, raw));
    const unreadable = read.find(isRejected);
    // A group is acknowledged as one stream entry, so it is taken or set aside whole.
    if (!unreadable) batch.messages.push(...read.filter((message): message is LedgerMessage => !isRejected(message)));
    else
      for (const message of read)
        batch.rejected.push(isRejected(message) ? message : { id, raw: message.raw, reason: `beside an unreadable entry: ${unreadable.reason}` });
  }
  return batch;
}

const isRejected = (message: LedgerMessage | RejectedLedgerMessage): message is RejectedLedgerMessage => 'reason' in message;

function readEntry(id: string, raw: string): LedgerMessage | RejectedLedgerMessage {
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    return { id, raw, reason: 'payload is not JSON' };
  }
  const parsed = ledgerEntrySchema.safeParse(json);
  if (parsed.success) return { id, entry: parsed.data, raw };
  return { id, raw, reason: parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; ') };
}

export async function ackLedgerEntries(redis: RedisConnection, prefix: string, ids: string[]): Promise<void> {
  if (ids.length === 0) return;
  // The entries of a group share an id.
  const unique = [...new Set(ids)];
  const key = ledgerStreamKey(prefix);
  const results =
    (await redis
      .multi()
      .xack(key, group, ...unique)
      .xdel(key, ...unique)
      .hdel(ledgerFailuresKey(prefix), ...unique)
      .exec()) ?? [];
  for (const [error] of results) if (error) throw error;
}

/**
 * Entries on the ledger stream not yet in Postgres: those no ledger has read plus those read
 * and not acknowledged (the group's lag plus its pending). Acknowledging deletes an entry, so
 * this is the stream's length, one O(1) command that also holds before the group exists.
 */
export async function countUnwrittenLedgerEntries(redis: RedisConnection, prefix: string): Promise<number> {
  return redis.xlen(ledgerStreamKey(prefix));
}

/**
 * Counts one more failed write of the entry `id` and returns how many it has had. The
 * count lives in Redis, so it survives restarts and follows the entry to whichever ledger
 * claims it; acknowledging or dead-lettering the entry forgets it.
 */
export async function recordLedgerFailure(redis: RedisConnection, prefix: string, id: string): Promise<number> {
  return redis.hincrby(ledgerFailuresKey(prefix), id, 1);
}

/** Keeps rejected entries (with the reason) on the dead-letter stream and removes them from the ledger queue. */
export async function deadLetterLedgerEntries(redis: RedisConnection, prefix: string, rejected: RejectedLedgerMessage[]): Promise<void> {
  if (rejected.length === 0) return;
  const pipeline = redis.pipeline();
  for (const entry of rejected) pipeline.xadd(ledgerDeadLetterKey(prefix), '*', 'id', entry.id, 'reason', entry.reason, field, entry.raw ?? '');
  for (const [error] of (await pipeline.exec()) ?? []) if (error) throw error;
  await ackLedgerEntries(
    redis,
    prefix,
    rejected.map((entry) => entry.id),
  );
}

// Month-to-date spend per org, for the api's budget check. The ledger recomputes it from
// Postgres after each batch; spend only grows within a month, so the larger value wins and
// two ledgers finishing out of order cannot move it backwards.

const spendTtlSeconds = 40 * 24 * 3600;

/** `YYYY-MM` of an instant, in UTC. */
export function utcMonth(at: Date | number): string {
  return new Date(at).toISOString().slice(0, 7);
}

const storeIfLarger = redisScript(
  'StoreSpendIfLarger',
  1,
  `
local function parse(value)
  local whole, fraction = string.match(value, '^(%d+)%.?(%d*)$')
  return (string.gsub(whole, '^0+', '')), fraction
end
local function compare(a, b)
  local aWhole, aFraction = parse(a)
  local bWhole, bFraction = parse(b)
  if #aWhole ~= #bWhole then return #aWhole < #bWhole and -1 or 1 end
  if aWhole ~= bWhole then return aWhole < bWhole and -1 or 1 end
  local width = math.max(#aFraction, #bFraction)
  aFraction = aFraction .. string.rep('0', width - #aFraction)
  bFraction = bFraction .. string.rep('0', width - #bFraction)
  if aFraction == bFraction then return 0 end
  return aFraction < bFraction and -1 or 1
end
local current = redis.call('GET', KEYS[1])
if not current or compare(ARGV[1], current) > 0 then
  redis.call('SET', KEYS[1], ARGV[1], 'EX', ARGV[2])
  return 1
end
redis.call('EXPIRE', KEYS[1], ARGV[2])
return 0
`,
);

/** Stores `amountUsd` (a decimal string) unless a larger amount is already cached. */
export async function storeMonthToDateSpend(redis: RedisConnection, prefix: string, orgId: string, month: string, amountUsd: string): Promise<void> {
  if (!/^\d+(\.\d+)?$/.test(amountUsd)) throw new RangeError(`not a decimal amount: ${amountUsd}`);
  await storeIfLarger.run(redis, [monthToDateSpendKey(prefix, orgId, month)], [amountUsd, spendTtlSeconds]);
}

/** The cached spend of `orgId` in the month of `now`, or undefined when the ledger has not recorded any. */
export async function readMonthToDateSpend(
  redis: RedisConnection,
  prefix: string,
  orgId: string,
  now: Date | number = Date.now(),
): Promise<string | undefined> {
  return (await redis.get(monthToDateSpendKey(prefix, orgId, utcMonth(now)))) ?? undefined;
}
