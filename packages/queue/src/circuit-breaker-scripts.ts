// Breaker transitions run as Lua so every worker agrees on one state per provider.
// Hash fields: state (closed | open | half_open), failures, window_start, opened_at,
// probes, successes, half_open_at. Each script returns {state, transitioned}.

/** KEYS[1] breaker; ARGV now, failureThreshold, windowMs. */
export const recordFailureScript = `
local state = redis.call('HGET', KEYS[1], 'state') or 'closed'
local now = tonumber(ARGV[1])
if state == 'open' then return {state, 0} end
if state == 'half_open' then
  redis.call('HSET', KEYS[1], 'state', 'open', 'opened_at', now, 'probes', 0, 'successes', 0, 'failures', 0)
  return {'open', 1}
end
local windowStart = tonumber(redis.call('HGET', KEYS[1], 'window_start') or '0')
local failures = tonumber(redis.call('HGET', KEYS[1], 'failures') or '0')
if now - windowStart > tonumber(ARGV[3]) then
  windowStart = now
  failures = 0
end
failures = failures + 1
if failures >= tonumber(ARGV[2]) then
  redis.call('HSET', KEYS[1], 'state', 'open', 'opened_at', now, 'failures', 0, 'window_start', now, 'probes', 0, 'successes', 0)
  return {'open', 1}
end
redis.call('HSET', KEYS[1], 'state', 'closed', 'failures', failures, 'window_start', windowStart)
return {'closed', 0}
`;

/** KEYS[1] breaker; ARGV now, openMs, halfOpenProbes. Returns {state, allowed, transitioned}. */
export const acquireScript = `
local state = redis.call('HGET', KEYS[1], 'state') or 'closed'
if state == 'closed' then return {'closed', 1, 0} end
local now = tonumber(ARGV[1])
local openMs = tonumber(ARGV[2])
if state == 'open' then
  local openedAt = tonumber(redis.call('HGET', KEYS[1], 'opened_at') or '0')
  if now - openedAt < openMs then return {'open', 0, 0} end
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
`;

/** KEYS[1] breaker; ARGV successesToClose. */
export const recordSuccessScript = `
local state = redis.call('HGET', KEYS[1], 'state') or 'closed'
if state ~= 'half_open' then return {state, 0} end
local successes = redis.call('HINCRBY', KEYS[1], 'successes', 1)
if successes >= tonumber(ARGV[1]) then
  redis.call('HSET', KEYS[1], 'state', 'closed', 'failures', 0, 'window_start', 0, 'probes', 0, 'successes', 0)
  return {'closed', 1}
end
return {'half_open', 0}
`;
