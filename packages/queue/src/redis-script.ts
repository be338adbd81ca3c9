import type { RedisConnection } from './connection.ts';

type Argument = string | number;
type ScriptCall = (...keysAndArguments: Argument[]) => Promise<unknown>;

/**
 * A Lua script that travels as EVALSHA, through ioredis' `defineCommand`: its text goes out
 * once per socket (an EVAL, which also loads it into Redis) and its SHA1 after that, and
 * again when Redis answers NOSCRIPT (a restarted server, SCRIPT FLUSH). A call then costs
 * its keys and arguments, not the script: a plain EVAL sends the whole text every time,
 * and Redis hashes it every time to find the compiled script.
 */
export type RedisScript = {
  run(redis: RedisConnection, keys: readonly string[], args: readonly Argument[]): Promise<unknown>;
};

/** `name` becomes a method of each connection it runs on: a distinct name per script, clear of Redis' own commands. */
export function redisScript(name: string, numberOfKeys: number, lua: string): RedisScript {
  const commandName = `switchyard${name}`;
  const definedOn = new WeakSet<RedisConnection>();
  const define = (redis: RedisConnection) => {
    if (definedOn.has(redis)) return;
    redis.defineCommand(commandName, { numberOfKeys, lua });
    definedOn.add(redis);
  };
  const checkKeys = (keys: readonly string[]) => {
    if (keys.length !== numberOfKeys) throw new RangeError(`script ${name} takes ${numberOfKeys} key(s), got ${keys.length}`);
  };
  return {
    run(redis, keys, args) {
      checkKeys(keys);
      define(redis);
      return (redis as unknown as Record<string, ScriptCall>)[commandName]!(...keys, ...args);
    },
  };
}
