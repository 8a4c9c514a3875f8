import type Redis from 'ioredis';

export type LuaCommand = (...keysThenArgs: string[]) => Promise<unknown>;

/**
 * A Lua script as a command of the connection: sent once, then run by its SHA (EVALSHA), with key
 * prefixing applied to its keys like any other command. ioredis loads it again after a Redis restart.
 * With `numberOfKeys` null, each call passes the number of keys first (for scripts over any number).
 */
export function luaCommand(redis: Redis, name: string, numberOfKeys: number | null, lua: string): LuaCommand {
  const commands = redis as unknown as Record<string, LuaCommand | undefined>;
  if (typeof commands[name] !== 'function') {
    // Sent on its own, never auto-pipelined: an auto-pipeline made before the command was defined lacks it,
    // and ioredis then loses track of that pipeline's replies and throws where nothing can catch it
    // (redis/ioredis#1931).
    redis.options.autoPipeliningIgnoredCommands = [...(redis.options.autoPipeliningIgnoredCommands ?? []), name];
    redis.defineCommand(name, { numberOfKeys: numberOfKeys ?? undefined, lua });
  }
  const command = commands[name] as LuaCommand;
  return (...keysThenArgs) => command.apply(redis, keysThenArgs);
}
