import type { AppConfig } from '../config/app-config';
import type { UserAuthState, UsersService } from '../users/users.service';
import type { Authenticator } from './authenticator';
import { LiveSessions } from './live-sessions';
import type { LoginSessions } from './login-sessions';
import type { Principal } from './principal';
import type { TokenService } from './token.service';

type Drop = (id: string | undefined) => void;

function setup() {
  const state: UserAuthState = { id: 'u1', email: 'a@b.c', role: 'operator', isActive: true, tokenVersion: 1 };
  const reads: string[] = [];
  const drops: { users?: Drop; logins?: Drop } = {};
  const users = {
    authState: async (id: string) => {
      reads.push(id);
      return id === state.id ? state : null;
    },
    onAuthStateChange: (listener: Drop) => ((drops.users = listener), () => undefined),
  } as unknown as UsersService;
  const logins = {
    isLive: async () => true,
    onEnd: (listener: Drop) => ((drops.logins = listener), () => undefined),
  } as unknown as LoginSessions;
  const tokens = {
    claimsOf: () => ({ sub: state.id, role: state.role, tv: 1, sid: 'login-1' }),
  } as unknown as TokenService;
  const config = { events: { connectionsPerUser: 10 } } as AppConfig;
  const sessions = new LiveSessions({} as Authenticator, tokens, users, logins, config);
  const principal: Principal = {
    type: 'user',
    userId: state.id,
    email: state.email,
    role: state.role,
    permissions: new Set(),
  };
  return { state, reads, drops, sessions, principal };
}

const settle = () => new Promise((resolve) => setImmediate(resolve)).then(() => new Promise((r) => setImmediate(r)));

describe('LiveSessions', () => {
  it('checks every connection once when both caches drop everything in one turn (a reconnection to Redis)', async () => {
    const { reads, drops, sessions, principal } = setup();
    const stops = [0, 1, 2].map(() => sessions.follow(principal, { headers: {} }, () => undefined));
    await settle();
    reads.length = 0;

    drops.users?.(undefined);
    drops.logins?.(undefined);
    await settle();
    expect(reads).toEqual(['u1', 'u1', 'u1']);

    // A drop in a later turn is a new sweep.
    drops.logins?.(undefined);
    await settle();
    expect(reads).toHaveLength(6);
    for (const stop of stops) stop();
    sessions.onModuleDestroy();
  });

  it('ends the connections of a user found deactivated by a sweep', async () => {
    const { state, drops, sessions, principal } = setup();
    const ended: number[] = [];
    sessions.follow(principal, { headers: {} }, () => ended.push(1));
    sessions.follow(principal, { headers: {} }, () => ended.push(2));
    await settle();
    expect(sessions.size).toBe(2);

    state.isActive = false;
    drops.users?.(undefined);
    drops.logins?.(undefined);
    await settle();
    expect(ended.sort()).toEqual([1, 2]);
    expect(sessions.size).toBe(0);
    sessions.onModuleDestroy();
  });

  it('counts the connections being accepted with those followed, and gives each place back once', () => {
    const { sessions, principal } = setup();
    const places = Array.from({ length: 9 }, () => sessions.reserve(principal));
    expect(places.every((p) => p !== undefined)).toBe(true);
    const stop = sessions.follow(principal, { headers: {} }, () => undefined);
    // 9 being accepted and 1 followed: the limit of 10.
    expect(sessions.reserve(principal)).toBeUndefined();
    expect(() => sessions.reserveOrRefuse(principal)).toThrow(/at most 10/);
    // Given back twice: one place only.
    places[0]!();
    places[0]!();
    const next = sessions.reserve(principal);
    expect(next).toBeDefined();
    expect(sessions.reserve(principal)).toBeUndefined();
    // Another user has places of their own.
    expect(sessions.reserve({ ...principal, userId: 'u2' })).toBeDefined();
    stop();
    expect(sessions.reserve(principal)).toBeDefined();
    sessions.onModuleDestroy();
  });
});
