import { EventEmitter } from 'node:events';
import type { NextFunction, Request, Response } from 'express';
import type { AppConfig } from '../config/app-config';
import type { ReadDatabase } from './read-database';
import { ReadRouting } from './read-routing';
import { readContext } from './read-target';

const config = { database: { read: { readYourWritesMs: 60_000 } } } as AppConfig;
const reads = { configured: true } as ReadDatabase;

function request(method: string, userId?: string, headers: Record<string, string> = {}) {
  return { method, headers, principal: userId ? { userId } : undefined } as unknown as Request;
}

/** Runs the middleware and reports, from inside `next`, whether a read there would go to the primary. */
function primaryInside(routing: ReadRouting, req: Request, res = new EventEmitter()): boolean | undefined {
  let primary: boolean | undefined;
  const next: NextFunction = () => {
    primary = readContext.getStore()?.primary;
  };
  routing.middleware(req, res as unknown as Response, next);
  return primary;
}

describe('ReadRouting', () => {
  it('lets GETs read the replica unless they ask for strong consistency', () => {
    const routing = new ReadRouting(reads, config);
    expect(primaryInside(routing, request('GET', 'u1'))).toBe(false);
    expect(primaryInside(routing, request('GET', 'u1', { consistency: 'strong' }))).toBe(true);
  });

  it('gives writes no context (every read is the primary) and keeps the writer on the primary afterwards', () => {
    const routing = new ReadRouting(reads, config);
    const res = new EventEmitter();
    expect(primaryInside(routing, request('POST', 'u1'), res)).toBeUndefined();
    expect(primaryInside(routing, request('GET', 'u1'))).toBe(false);
    res.emit('finish');
    expect(primaryInside(routing, request('GET', 'u1'))).toBe(true);
    expect(primaryInside(routing, request('GET', 'u2'))).toBe(false);
  });

  it('has no window when it is 0', () => {
    const routing = new ReadRouting(reads, { database: { read: { readYourWritesMs: 0 } } } as AppConfig);
    const res = new EventEmitter();
    primaryInside(routing, request('PATCH', 'u1'), res);
    res.emit('finish');
    expect(primaryInside(routing, request('GET', 'u1'))).toBe(false);
  });
});
