// Breaker transitions run as Lua so every worker agrees on one state per deployment.
// Hash fields: state (closed | open | half_open), opened_at, probes, successes (of probes),
// half_open_at, generation (bumped by every transition, so a decision taken on counts read
// earlier cannot act on a later breaker), and the window ring: per slot i, the bucket it
// holds (wb<i>), the calls (wc<i>) and the failures (wf<i>) counted in that bucket.
// Whether counts open the breaker is decided in TypeScript (circuit-breaker-decision.ts).
import { redisScript } from './redis-script.ts';

/** Lua that lists the window ring's fields for ARGV[n] slots. */
const windowFields = (slotsArgument: number) => `
local fields = {}
for index = 0, tonumber(ARGV[${slotsArgument}]) - 1 do
  table.insert(fields, 'wb' .. index)
  table.insert(fields, 'wc' .. index)
  table.insert(fields, 'wf' .. index)
end
`;

/**
 * KEYS[1] breaker; ARGV now, bucket, slot, calls, failures, slots.
 * Counts calls (failures among them) in the window while closed; a failure while
 * half-open reopens at once. Returns {state, transitioned, generation, window} where
 * window is {wb0, wc0, wf0, wb1, ...}, empty unless closed.
 */
export const recordCallsScript = redisScript(
  'BreakerRecordCalls',
  1,
  `
local state = redis.call('HGET', KEYS[1], 'state') or 'closed'
local generation = tonumber(redis.call('HGET', KEYS[1], 'generation') or '0')
local failures = tonumber(ARGV[5])
if state == 'half_open' and failures > 0 then
  generation = redis.call('HINCRBY', KEYS[1], 'generation', 1)
  redis.call('HSET', KEYS[1], 'state', 'open', 'opened_at', ARGV[1], 'probes', 0, 'successes', 0)
  return {'open', 1, generation, {}}
end
if state ~= 'closed' then return {state, 0, generation, {}} end
local slot = ARGV[3]
if redis.call('HGET', KEYS[1], 'wb' .. slot) ~= ARGV[2] then
  redis.call('HSET', KEYS[1], 'wb' .. slot, ARGV[2], 'wc' .. slot, 0, 'wf' .. slot, 0)
end
redis.call('HINCRBY', KEYS[1], 'wc' .. slot, tonumber(ARGV[4]))
redis.call('HINCRBY', KEYS[1], 'wf' .. slot, failures)
${windowFields(6)}
return {'closed', 0, generation, redis.call('HMGET', KEYS[1], unpack(fields))}
`,
);

/** KEYS[1] breaker; ARGV now, generation. Opens a closed breaker nobody has moved since `generation`. */
export const openIfUnchangedScript = redisScript(
  'BreakerOpenIfUnchanged',
  1,
  `
local state = redis.call('HGET', KEYS[1], 'state') or 'closed'
local generation = tonumber(redis.call('HGET', KEYS[1], 'generation') or '0')
if state ~= 'closed' or generation ~= tonumber(ARGV[2]) then return {state, 0} end
redis.call('HINCRBY', KEYS[1], 'generation', 1)
redis.call('HSET', KEYS[1], 'state', 'open', 'opened_at', ARGV[1], 'probes', 0, 'successes', 0)
return {'open', 1}
`,
);

/** KEYS[1] breaker; ARGV now, openMs, halfOpenProbes. Returns {state, allowed, transitioned}. */
export const acquireScript = redisScript(
  'BreakerAcquire',
  1,
  `
local state = redis.call('HGET', KEYS[1], 'state') or 'closed'
if state == 'closed' then return {'closed', 1, 0} end
local now = tonumber(ARGV[1])
local openMs = tonumber(ARGV[2])
if state == 'open' then
  local openedAt = tonumber(redis.call('HGET', KEYS[1], 'opened_at') or '0')
  if now - openedAt < openMs then return {'open', 0, 0} end
  redis.call('HINCRBY', KEYS[1], 'generation', 1)
  redis.call('HSET', KEYS[1], 'state', 'half_open', 'probes', 1, 'successes', 0, 'half_open_at', now)
  return {'half_open', 1, 1}
end
local probes = tonumber(redis.call('HGET', KEYS[1], 'probes') or '0')
if probes < tonumber(ARGV[3]) then
  redis.call('HINCRBY', KEYS[1], 'probes', 1)
  return {'half_open', 1, 0}
end
-- A probe whose worker died never reports: after another cool-down, let a new one through.
local since = tonumber(redis.call('HGET', KEYS[1], 'half_open_at') or '0')
if now - since > openMs then
  redis.call('HSET', KEYS[1], 'probes', 1, 'half_open_at', now)
  return {'half_open', 1, 0}
end
return {'half_open', 0, 0}
`,
);

/** KEYS[1] breaker; ARGV successesToClose, slots. A probe's success; enough of them close it with an empty window. */
export const recordProbeSuccessScript = redisScript(
  'BreakerRecordProbeSuccess',
  1,
  `
local state = redis.call('HGET', KEYS[1], 'state') or 'closed'
if state ~= 'half_open' then return {state, 0} end
local successes = redis.call('HINCRBY', KEYS[1], 'successes', 1)
if successes >= tonumber(ARGV[1]) then
  ${windowFields(2)}
  redis.call('HDEL', KEYS[1], unpack(fields))
  redis.call('HINCRBY', KEYS[1], 'generation', 1)
  redis.call('HSET', KEYS[1], 'state', 'closed', 'probes', 0, 'successes', 0)
  return {'closed', 1}
end
return {'half_open', 0}
`,
);
