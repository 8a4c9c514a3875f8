import type Redis from 'ioredis';

export type LuaCommand = (...keysThenArgs: string[]) => Promise<unknown>;

/**
 * A Lua script as a command of the connection: sent once, then run by its SHA (EVALSHA), with key
 * prefixing applied to its keys like any other command. ioredis loads it again after a Redis restart.
 * With `numberOfKeys` null, each call passes the number of keys first (for scripts over any number).
 */
export function luaCommand(redis: Redis, name: string, numberOfKeys: number | null, lua: string): LuaCommand {
  const commands = redis as unknown as Record<string, LuaCommand | undefined>;
  if (typeof commands[name] !== 'function') redis.defineCommand(name, { numberOfKeys: numberOfKeys ?? undefined, lua });
  const command = commands[name] as LuaCommand;
  return (...keysThenArgs) => command.apply(redis, keysThenArgs);
}
